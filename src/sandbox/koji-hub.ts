// A Koji hub on loopback speaking Koji's XML-RPC (path /kojihub) and serving files under
// /kojifiles/ in Koji's topurl layout, so the real koji CLI and our KojiClient work against it
// with only a URL changed.
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { BUILD_STATES, TASK_STATE_NAMES } from "../clients/koji.js";
import {
  encodeFault,
  encodeResponse,
  XmlRpcDouble,
  XmlRpcFault,
  XmlRpcParseError,
  XmlRpcStreamDecoder,
  type XmlRpcStruct,
  type XmlRpcValue,
} from "../clients/xmlrpc-codec.js";
import {
  buildMethodTable,
  introspection,
  KOJI_VERSION,
  parseSandboxBuildSpec,
  type CallContext,
  type HubServices,
  type MethodSpec,
  type SandboxBuildSpec,
} from "./koji-api.js";
import { HubAuth, type HubGssapiOptions } from "./koji-auth.js";
import { bindArgs } from "./koji-python.js";
import { faultCodeOf, kojiTime, taskRequest, taskResult, taskRow } from "./koji-rows.js";
import type { KojiSeed } from "./koji-seed.js";
import { HubFault, KojiState, type StateChange, type StoredBuild, type StoredTask, type StoredUser } from "./koji-state.js";
import { ImageTaskRunner, nevra, type ImageDescription } from "./koji-tasks.js";

export type { SandboxBuildSpec } from "./koji-api.js";
export type { ImageDescription } from "./koji-tasks.js";

export interface KojiHubUser {
  name: string;
  /** Sandbox only: checked by `login`, kept in memory, never written to the state file. Omit for a Kerberos-only user. */
  password?: string;
  /** Koji permissions; default ["admin"]. */
  perms?: string[];
  /** Kerberos principals that log in as this user through sslLogin (user_krb_principals). */
  krbPrincipals?: string[];
}

export interface KojiHubOptions {
  /** Directory standing in for Koji's topdir (/mnt/koji): work/tasks/…, packages/…/images/… */
  topDir: string;
  /** Content for a fresh hub; ignored when statePath already holds a state. */
  seed?: KojiSeed;
  /** Accounts that may `login`. */
  users?: KojiHubUser[];
  /** Persist the hub's state here (JSON, replaced atomically after each change) and reload it. */
  statePath?: string;
  /** Kickstart/kiwi descriptions image tasks may name; defaults to the seed's. */
  descriptions?: ImageDescription[];
  /** From task creation to completion for image tasks; default 1500 ms. */
  taskDurationMs?: number;
  /**
   * The hub's MaxRequestLength (kojixmlrpc.py config_map: 4194304 bytes by default): a longer
   * request body is refused with HTTP 400 "Invalid request: Request too long". 0 disables it,
   * as in Koji.
   */
  maxRequestLength?: number;
  /**
   * How long an imported image build's task work directories (work/tasks/…) stay after import;
   * default 0: removed at import. Koji moves the images into the build's directory (leaving
   * symlinks) and the work directory is scratch space that goes later, so anything that still
   * reads images through downloadTaskOutput breaks; the sandbox makes that happen at once.
   */
  taskWorkRetentionMs?: number;
  /**
   * The volume image builds go to, as a Koji `volume` policy would place them (kojihub.py
   * check_volume_policy at image build init); their files are then under `vol/<name>/packages/…`.
   * Default DEFAULT.
   */
  imageVolume?: string;
  /**
   * Kerberos: /kojihub/ssllogin verifies SPNEGO tokens with this keytab, as mod_auth_gssapi does
   * in front of a real hub. Without it, sslLogin faults as on a hub without GSSAPI.
   */
  gssapi?: HubGssapiOptions;
  /** hub.conf SessionRenewalTimeout in minutes (default 1440, Koji's); 0: sessions never expire. */
  sessionRenewalTimeout?: number;
  /** hub.conf LoginCreatesUser (default true, Koji's): a new principal gets a user of its name. */
  loginCreatesUser?: boolean;
  /** hub.conf AllowedKrbRealms (default "*"). */
  allowedKrbRealms?: string;
  /**
   * Also serve the same hub over HTTPS (PEM key and certificate) on `port` (default ephemeral):
   * koji's gssapi_login rewrites the hub URL to https before it logs in.
   */
  tls?: { key: string | Buffer; cert: string | Buffer; port?: number };
  /** Milliseconds since the epoch; timestamps of new events, tasks, builds and sessions. */
  clock?: () => number;
  /** Called with every observable change (the same objects the `message` event carries). */
  onEvent?: (event: KojiHubEvent) => void;
  /** Diagnostics (hub bugs, observer errors). Never receives passwords or session keys. */
  log?: (line: string) => void;
}

export type KojiHubTopic = "buildsys.tag" | "buildsys.untag" | "buildsys.build.state.change" | "buildsys.task.state.change";

/**
 * A change as Koji's fedora-messaging plugin reports it: `topic` without the
 * "org.fedoraproject.<env>." prefix and `body` as the plugin builds it (instance "primary").
 */
export interface KojiHubEvent {
  topic: KojiHubTopic;
  body: Record<string, unknown>;
  /** The Koji event id of the change, when it has one (tagging, build changes). */
  eventId: number | null;
  /**
   * Whether real Koji publishes this message: its plugin sends task state changes only for
   * parent tasks of scratch builds (and none for a task's creation); everything else is sent.
   */
  published: boolean;
}

const DEFAULT_OWNER = "packager";

export class KojiHub {
  private readonly state: KojiState;
  private readonly runner: ImageTaskRunner;
  private readonly methods: Map<string, MethodSpec>;
  private readonly emitter = new EventEmitter();
  private readonly passwords = new Map<string, string>();
  private readonly topDir: string;
  private readonly statePath: string | undefined;
  private readonly log: (line: string) => void;
  private readonly services: HubServices;
  private server: http.Server | undefined;
  private tlsServer: https.Server | undefined;
  private readonly auth: HubAuth;
  private origin = "";
  private seeding: number | null = null;

  constructor(private readonly options: KojiHubOptions) {
    this.topDir = path.resolve(options.topDir);
    this.statePath = options.statePath && path.resolve(options.statePath);
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    const realClock = options.clock ?? Date.now;
    // While seeding, timestamps come from the seed so content never depends on the wall clock.
    const clock = () => this.seeding ?? realClock();
    const loaded = this.statePath ? KojiState.load(this.statePath, clock) : undefined;
    this.state = loaded ?? new KojiState(undefined, clock);
    this.state.onChange = (change) => this.observe(change);
    if (!loaded && options.seed) this.applySeed(options.seed);
    for (const u of options.users ?? []) {
      const user = this.state.ensureUser(u.name, u.perms ?? ["admin"]);
      user.perms = [...(u.perms ?? ["admin"])];
      if (u.password !== undefined) this.passwords.set(u.name, u.password);
      for (const p of u.krbPrincipals ?? []) this.state.addKrbPrincipal(user, p);
    }
    this.auth = new HubAuth(this.state, this.passwords, {
      sessionRenewalTimeout: options.sessionRenewalTimeout ?? 1440,
      loginCreatesUser: options.loginCreatesUser ?? true,
      allowedKrbRealms: options.allowedKrbRealms ?? "*",
      gssapi: options.gssapi,
    });
    this.services = {
      state: this.state,
      topDir: this.topDir,
      startImageTask: (task) => this.runner.start(task),
      tasksCanceled: (ids) => this.runner.canceled(ids),
      createBuild: (spec, owner) => this.importBuild(spec, owner),
      login: (user, password, renew) => this.auth.login(user, password, renew),
      sslLogin: (remoteUser, proxyuser, renew) => this.auth.sslLogin(remoteUser, proxyuser, renew),
    };
    this.methods = buildMethodTable();
    for (const m of introspection(this.methods)) this.methods.set(m.name, m);
    this.runner = new ImageTaskRunner({
      state: this.state,
      topDir: this.topDir,
      descriptions: options.descriptions ?? options.seed?.descriptions ?? [],
      durationMs: options.taskDurationMs ?? 1500,
      workRetentionMs: options.taskWorkRetentionMs ?? 0,
      imageVolume: options.imageVolume,
      persist: () => this.persist(),
      log: this.log,
    });
    this.persist();
  }

  /** Creates a hub and listens on 127.0.0.1 (port 0 = ephemeral). */
  static async start(options: KojiHubOptions & { port?: number; host?: string }): Promise<KojiHub> {
    const hub = new KojiHub(options);
    await hub.listen(options.port ?? 0, options.host ?? "127.0.0.1");
    return hub;
  }

  async listen(port = 0, host = "127.0.0.1"): Promise<void> {
    if (this.server) throw new Error("sandbox Koji hub is already listening");
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.handle(req, res).catch((err) => {
        this.log(`sandbox koji: request failed: ${(err as Error).stack ?? err}`);
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
        res.end("Internal Server Error\n");
      });
    };
    const server = http.createServer(handler);
    await listenOn(server, port, host);
    this.server = server;
    const addr = server.address() as AddressInfo;
    const shownHost = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
    this.origin = `http://${shownHost}:${addr.port}`;
    if (this.options.tls) {
      const tlsServer = https.createServer({ key: this.options.tls.key, cert: this.options.tls.cert }, handler);
      await listenOn(tlsServer, this.options.tls.port ?? 0, host);
      this.tlsServer = tlsServer;
      this.tlsOrigin = `https://${shownHost}:${(tlsServer.address() as AddressInfo).port}`;
    }
    this.runner.resume();
  }

  private tlsOrigin = "";
  /** With `tls`: the same hub over HTTPS, e.g. https://127.0.0.1:39124/kojihub */
  get httpsUrl(): string {
    if (!this.tlsOrigin) throw new Error("sandbox Koji hub has no HTTPS listener: start it with the tls option");
    return `${this.tlsOrigin}/kojihub`;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** e.g. http://127.0.0.1:39123/kojihub */
  get url(): string {
    this.requireListening();
    return `${this.origin}/kojihub`;
  }

  /** e.g. http://127.0.0.1:39123/kojifiles — Koji's topurl */
  get topurl(): string {
    this.requireListening();
    return `${this.origin}/kojifiles`;
  }

  async close(): Promise<void> {
    this.runner.stop();
    this.persist();
    const servers = [this.server, this.tlsServer].filter((s) => s !== undefined);
    this.server = undefined;
    this.tlsServer = undefined;
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Observe changes: "message" for all, or one topic. Returns an unsubscribe function. */
  on(topic: KojiHubTopic | "message", listener: (event: KojiHubEvent) => void): () => void {
    this.emitter.on(topic, listener);
    return () => this.emitter.off(topic, listener);
  }

  /** Sandbox only: import a COMPLETE RPM build; answers its id (see sandbox.createBuild). */
  createBuild(spec: SandboxBuildSpec, owner?: string): number {
    const build = this.services.createBuild(spec, owner ? this.state.ensureUser(owner) : undefined);
    this.persist();
    return build.id;
  }

  /** Tags a build directly (what a finished tagBuild task does), as `user`. */
  tagBuild(tag: string | number, build: string | number, user = "releng"): void {
    this.state.tagBuild(this.requireTag(tag), this.requireBuild(build), this.state.ensureUser(user));
    this.persist();
  }

  untagBuild(tag: string | number, build: string | number, user = "releng"): void {
    this.state.untagBuild(this.requireTag(tag), this.requireBuild(build), this.state.ensureUser(user), true);
    this.persist();
  }

  /** The newest Koji event id. */
  lastEventId(): number {
    return this.state.lastEvent()?.id ?? 0;
  }

  // --- internals ---------------------------------------------------------------------------------

  private requireListening(): void {
    if (!this.origin) throw new Error("sandbox Koji hub is not listening yet: call listen() or KojiHub.start()");
  }

  private requireTag(tag: string | number) {
    const t = this.state.findTag(tag);
    if (!t) throw new Error(`sandbox Koji hub: no such tag ${tag}`);
    return t;
  }

  private requireBuild(build: string | number): StoredBuild {
    if (typeof build === "number") {
      const b = this.state.getBuild(build);
      if (!b) throw new Error(`sandbox Koji hub: no such build ${build}`);
      return b;
    }
    const m = /^(.+)-([^-]+)-([^-]+)$/.exec(build);
    const b = m ? this.state.findBuildByNvr(m[1]!, m[2]!, m[3]!) : undefined;
    if (!b) throw new Error(`sandbox Koji hub: no such build ${build}`);
    return b;
  }

  private persist(): void {
    this.state.persist(this.statePath);
  }

  private importBuild(raw: SandboxBuildSpec, owner: StoredUser | undefined): StoredBuild {
    const spec = parseSandboxBuildSpec(raw);
    const user = spec.owner ? this.state.ensureUser(spec.owner) : (owner ?? this.state.ensureUser(DEFAULT_OWNER));
    const gitUrl = `git+https://src.fedoraproject.org/rpms/${spec.name}.git`;
    const commit = createHash("sha1").update(`${spec.name}-${spec.version}-${spec.release}`).digest("hex");
    // Observers hear about the build only once its RPMs exist.
    const pending: StateChange[] = [];
    const onChange = this.state.onChange;
    this.state.onChange = (c) => pending.push(c);
    let build: StoredBuild;
    try {
      build = this.state.createBuild({
        name: spec.name,
        version: spec.version,
        release: spec.release,
        epoch: spec.epoch,
        owner: user,
        state: BUILD_STATES.COMPLETE,
        source: spec.source ?? `${gitUrl}#${commit}`,
        extra: { source: { original_url: `${gitUrl}#rawhide` } },
      });
      const buildtime = Math.floor(this.state.getEvent(build.create_event)!.ts);
      const rpms = [...spec.rpms];
      if (!rpms.some((r) => r.arch === "src")) {
        const total = rpms.reduce((sum, r) => sum + r.size, 0);
        rpms.unshift({ arch: "src", size: Math.max(20_480, Math.round(total / 8)), requires: [], provides: [] });
      }
      for (const r of rpms) {
        const fields = { name: r.name ?? spec.name, epoch: spec.epoch, version: spec.version, release: spec.release, arch: r.arch };
        this.state.addRpm(build, {
          ...fields,
          size: r.size,
          payloadhash: createHash("md5").update(`${nevra(fields)}:${r.size}`).digest("hex"),
          buildtime: r.buildtime ?? buildtime,
          requires: [...r.requires],
          provides: [...r.provides],
        });
      }
    } finally {
      this.state.onChange = onChange;
    }
    for (const c of pending) onChange(c);
    return build;
  }

  private applySeed(seed: KojiSeed): void {
    let ts = seed.startTs;
    const tick = () => {
      this.seeding = ts * 1000;
      ts += 60;
    };
    const emit = this.state.onChange;
    // Seeding is history, not news: observers only hear about changes after start.
    this.state.onChange = () => {};
    try {
      for (const u of seed.users) this.state.ensureUser(u.name, u.perms ?? []);
      for (const t of seed.tags) {
        tick();
        this.state.createTag(t);
      }
      for (const t of seed.tags) {
        for (const parent of t.parents ?? []) {
          tick();
          this.state.addInheritance(this.requireTag(t.name), this.requireTag(parent.name), parent.priority ?? 0);
        }
      }
      for (const t of seed.targets) {
        tick();
        this.state.createTarget(t.name, this.requireTag(t.build_tag), this.requireTag(t.dest_tag));
      }
      for (const b of seed.builds) {
        tick();
        this.importBuild(b, undefined);
      }
      for (const h of seed.history) {
        tick();
        const user = this.state.ensureUser(h.user ?? "releng");
        if (h.op === "tag") this.state.tagBuild(this.requireTag(h.tag), this.requireBuild(h.nvr), user);
        else this.state.untagBuild(this.requireTag(h.tag), this.requireBuild(h.nvr), user, true);
      }
    } finally {
      this.seeding = null;
      this.state.onChange = emit;
    }
  }

  // --- observer ------------------------------------------------------------------------------

  private observe(change: StateChange): void {
    let event: KojiHubEvent;
    try {
      event = this.toEvent(change);
    } catch (err) {
      this.log(`sandbox koji: cannot describe change ${change.kind}: ${(err as Error).message}`);
      return;
    }
    for (const deliver of [() => this.options.onEvent?.(event), () => this.emitter.emit(event.topic, event), () => this.emitter.emit("message", event)]) {
      try {
        deliver();
      } catch (err) {
        this.log(`sandbox koji: observer of ${event.topic} threw: ${(err as Error).message}`);
      }
    }
  }

  private toEvent(change: StateChange): KojiHubEvent {
    const { state } = this;
    const base = { base_url: this.origin || null, instance: "primary" };
    if (change.kind === "tag" || change.kind === "untag") {
      const { listing } = change;
      const build = state.getBuild(listing.build_id)!;
      const tag = state.findTag(listing.tag_id)!;
      return {
        topic: change.kind === "tag" ? "buildsys.tag" : "buildsys.untag",
        eventId: change.kind === "tag" ? listing.create_event : listing.revoke_event,
        published: true,
        body: {
          ...base,
          tag: tag.name,
          name: state.packageName(build.pkg_id),
          version: build.version,
          release: build.release,
          user: state.userName(change.userId),
          owner: state.userName(build.owner_id),
          tag_id: tag.id,
          build_id: build.id,
        },
      };
    }
    if (change.kind === "build.state") {
      const { build } = change;
      const task = build.task_id ? state.getTask(build.task_id) : undefined;
      return {
        topic: "buildsys.build.state.change",
        eventId: state.lastEvent()?.id ?? null,
        published: true,
        body: {
          ...base,
          name: state.packageName(build.pkg_id),
          version: build.version,
          release: build.release,
          epoch: build.epoch,
          attribute: "state",
          old: change.old,
          new: build.state,
          build_id: build.id,
          task_id: build.task_id,
          request: task ? plain(taskRequest(task)) : null,
          task: task ? this.taskMessageInfo(task) : null,
          owner: state.userName(build.owner_id),
          creation_time: isoTime(state.getEvent(build.create_event)!.ts),
          completion_time: build.completion_ts === null ? null : isoTime(build.completion_ts),
          url: this.origin ? `${this.origin}/koji/buildinfo?buildID=${build.id}` : null,
        },
      };
    }
    const { task } = change;
    const request = taskRequest(task);
    const last = request.at(-1);
    const scratch = !!last && typeof last === "object" && !Array.isArray(last) && (last as XmlRpcStruct).scratch === true;
    return {
      topic: "buildsys.task.state.change",
      eventId: null,
      // Koji runs no state-change callback when a task is created, only on later transitions.
      published: task.parent === null && scratch && change.old !== null,
      body: {
        ...base,
        files_base_url: this.origin ? `${this.origin}/kojifiles/work` : null,
        info: this.taskMessageInfo(task),
        method: task.method,
        attribute: "state",
        old: change.old === null ? null : TASK_STATE_NAMES[change.old],
        new: TASK_STATE_NAMES[task.state],
        id: task.id,
        owner: state.userName(task.owner),
        srpm: typeof request[0] === "string" ? request[0].split("/").at(-1) : String(request[0] ?? ""),
      },
    };
  }

  /** get_full_task_info of the plugin, minus the fields it scrubs (weight, *_ts). */
  private taskMessageInfo(task: StoredTask): Record<string, unknown> {
    const row = plain(taskRow(task, true)) as Record<string, unknown>;
    for (const key of ["weight", "start_ts", "create_ts", "completion_ts"]) delete row[key];
    for (const key of ["create_time", "start_time", "completion_time"] as const) {
      const ts = key === "create_time" ? task.create_ts : key === "start_time" ? task.start_ts : task.completion_ts;
      row[key] = ts === null ? null : Math.floor(ts);
    }
    let result: unknown = null;
    try {
      result = plain(taskResult(task, true));
    } catch {
      result = null;
    }
    return {
      ...row,
      owner: this.state.userName(task.owner),
      host_name: task.host_id ? "sandbox-builder" : null,
      url: this.origin ? `${this.origin}/koji/taskinfo?taskID=${task.id}` : null,
      result,
      children: this.state.childrenOf(task.id).map((c) => this.taskMessageInfo(c)),
    };
  }

  // --- HTTP ----------------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox");
    if (url.pathname === "/kojihub" || url.pathname === "/kojihub/") return this.handleRpc(req, res, url);
    if (url.pathname === "/kojihub/ssllogin") return this.handleSslLogin(req, res, url);
    if (url.pathname === "/kojifiles" || url.pathname.startsWith("/kojifiles/")) return this.serveFile(req, res, url);
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end(`Not Found: ${url.pathname} (the sandbox Koji hub serves /kojihub and /kojifiles/)\n`);
  }

  /**
   * /kojihub/ssllogin: in front of a real hub, mod_auth_gssapi guards this path. No token (or a
   * bad one) is answered 401 with `WWW-Authenticate: Negotiate`, which is what makes
   * requests-gssapi send one; a verified token's principal reaches the hub as REMOTE_USER, and
   * the reply carries the acceptor's token for mutual authentication.
   */
  private async handleSslLogin(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (!this.auth.gssapiEnabled) return this.handleRpc(req, res, url);
    const authorization = Array.isArray(req.headers.authorization) ? req.headers.authorization[0] : req.headers.authorization;
    const negotiation = await this.auth.negotiate(authorization, (req.socket.localAddress ?? "127.0.0.1").replace(/^::ffff:/, ""));
    if (!negotiation.ok) {
      if (authorization) this.log(`sandbox koji: /ssllogin refused: ${negotiation.reason}`);
      for await (const _chunk of req) {
        // drain the XML-RPC body the client sent along, so it reads our answer
      }
      res.writeHead(401, { "Koji-Version": KOJI_VERSION, "WWW-Authenticate": "Negotiate", "Content-Type": "text/plain" });
      res.end(`Unauthorized: ${negotiation.reason}\n`);
      return;
    }
    return this.handleRpc(req, res, url, {
      remoteUser: negotiation.principal,
      headers: negotiation.response ? { "WWW-Authenticate": `Negotiate ${negotiation.response}` } : {},
    });
  }

  private async handleRpc(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    extra: { remoteUser?: string; headers?: Record<string, string> } = {},
  ): Promise<void> {
    const headers = { "Koji-Version": KOJI_VERSION, ...extra.headers };
    if (req.method !== "POST") {
      res.writeHead(405, { ...headers, Allow: "POST", "Content-Type": "text/plain" });
      res.end("Method Not Allowed\nThis is an XML-RPC server. Only POST requests are accepted.\n");
      return;
    }
    const decoder = new XmlRpcStreamDecoder();
    const maxLength = this.options.maxRequestLength ?? DEFAULT_MAX_REQUEST_LENGTH;
    let call;
    try {
      let length = 0;
      let tooLong = false;
      for await (const chunk of req) {
        length += (chunk as Buffer).length;
        // kojixmlrpc.py _read_request: GenericError('Request too long') once the body passes
        // MaxRequestLength, which handle_rpc turns into BadRequest: HTTP 400, text/plain. The
        // rest of the body is drained (not parsed) so the client reliably reads the answer.
        if (maxLength && length > maxLength) tooLong = true;
        if (!tooLong) decoder.write(chunk as Buffer);
      }
      if (tooLong) throw new XmlRpcParseError("Request too long");
      if (length === 0) throw new XmlRpcParseError("Empty request");
      call = decoder.end();
      if (call.kind !== "call") throw new XmlRpcParseError("expected a <methodCall> document");
    } catch (err) {
      res.writeHead(400, { ...headers, "Content-Type": "text/plain" });
      res.end(`Invalid request: ${(err as Error).message}\n`);
      return;
    }
    let body: string;
    try {
      const ctx: CallContext = { hub: this.services, ...this.auth.caller(req, url, call.methodName), method: call.methodName, remoteUser: extra.remoteUser };
      const value = this.dispatch(call.methodName, call.params, ctx);
      body = encodeResponse(value);
    } catch (err) {
      body = this.faultBody(err, call.methodName);
    } finally {
      this.persist();
    }
    const bytes = Buffer.from(body, "utf8");
    res.writeHead(200, { ...headers, "Content-Type": "text/xml", "Content-Length": bytes.length });
    res.end(bytes);
  }

  private faultBody(err: unknown, method: string): string {
    if (err instanceof HubFault) return encodeFault(faultCodeOf(err.faultName), err.message);
    if (err instanceof XmlRpcFault) return encodeFault(err.faultCode, err.faultString);
    this.log(`sandbox koji: ${method} failed: ${(err as Error).stack ?? err}`);
    const e = err as Error;
    return encodeFault(1, `<class '${e?.name ?? "Exception"}'>: ${e?.message ?? String(err)}`);
  }

  private dispatch(method: string, params: XmlRpcValue[], ctx: CallContext): XmlRpcValue {
    if (method === "multiCall" || method === "system.multicall") return this.multicall(params, ctx);
    const spec = this.methods.get(method);
    if (!spec) throw new HubFault("GenericError", `Invalid method: ${method}`);
    // koji.decode_args: a trailing struct flagged __starstar carries the keyword arguments.
    let positional = params;
    let kwargs: XmlRpcStruct = {};
    const last = params.at(-1);
    if (last && typeof last === "object" && !Array.isArray(last) && !(last instanceof Date) && !(last instanceof Uint8Array) && (last as XmlRpcStruct).__starstar) {
      const { __starstar: _flag, ...rest } = last as XmlRpcStruct;
      kwargs = rest;
      positional = params.slice(0, -1);
    }
    const args = bindArgs(spec, positional, kwargs);
    const value = spec.run(args, { ...ctx, method });
    return value === undefined ? null : value;
  }

  private multicall(params: XmlRpcValue[], ctx: CallContext): XmlRpcValue {
    const calls = params[0];
    if (params.length !== 1 || !Array.isArray(calls)) throw new HubFault("ParameterError", "multiCall() takes a single list of {'methodName': …, 'params': […]} structs");
    return calls.map((c): XmlRpcValue => {
      try {
        if (!c || typeof c !== "object" || Array.isArray(c)) throw new HubFault("GenericError", `multicall entry is not a struct: ${String(c)}`);
        const entry = c as XmlRpcStruct;
        if (typeof entry.methodName !== "string") throw new HubFault("GenericError", "multicall entry lacks a methodName");
        const p = entry.params ?? [];
        if (!Array.isArray(p)) throw new HubFault("GenericError", `multicall params of ${entry.methodName} is not a list`);
        return [this.dispatch(entry.methodName, p, ctx)];
      } catch (err) {
        // kojixmlrpc.py multiCall: an xmlrpc Fault (a task's stored fault re-raised) becomes
        // {faultCode, faultString}; any other exception — every koji.GenericError and its
        // subclasses — also carries `traceback`, format_exception's list of lines.
        if (err instanceof XmlRpcFault) return { faultCode: err.faultCode, faultString: err.faultString };
        if (err instanceof HubFault) {
          return { faultCode: faultCodeOf(err.faultName), faultString: err.message, traceback: pythonTraceback(`koji.${err.faultName}`, err.message, entryMethod(c)) };
        }
        this.log(`sandbox koji: multicall entry failed: ${(err as Error).stack ?? err}`);
        const message = String((err as Error).message ?? err);
        return { faultCode: 1, faultString: message, traceback: pythonTraceback((err as Error).name ?? "Exception", message, entryMethod(c)) };
      }
    });
  }

  private async serveFile(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain" });
      res.end("Method Not Allowed\n");
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname.slice("/kojifiles".length));
    } catch {
      res.writeHead(400, { "Content-Type": "text/plain" });
      res.end("Bad Request: malformed path\n");
      return;
    }
    const file = path.resolve(this.topDir, `.${rel}`);
    if (file !== this.topDir && !file.startsWith(`${this.topDir}${path.sep}`)) {
      res.writeHead(403, { "Content-Type": "text/plain" });
      res.end("Forbidden\n");
      return;
    }
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(file);
    } catch {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end(`Not Found: ${url.pathname}\n`);
      return;
    }
    if (st.isDirectory()) {
      // Like kojipkgs' autoindex: enough for tools that browse a build's directory.
      const names = (await fs.promises.readdir(file, { withFileTypes: true })).map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort();
      const esc = (t: string) => t.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
      const html = `<html><body><pre>\n${names.map((n) => `<a href="${encodeURIComponent(n.replace(/\/$/, ""))}${n.endsWith("/") ? "/" : ""}">${esc(n)}</a>`).join("\n")}\n</pre></body></html>\n`;
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(req.method === "HEAD" ? undefined : html);
      return;
    }
    const textual = /\.(log|ks|txt|packages|xml|json)$/.test(file);
    res.writeHead(200, {
      "Content-Type": textual ? "text/plain; charset=utf-8" : "application/octet-stream",
      "Content-Length": st.size,
      "Last-Modified": st.mtime.toUTCString(),
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const stream = fs.createReadStream(file);
      stream.on("error", reject);
      res.on("close", resolve);
      stream.pipe(res);
    });
  }
}

/** kojixmlrpc.py's config_map default for MaxRequestLength. */
export const DEFAULT_MAX_REQUEST_LENGTH = 4_194_304;

function entryMethod(c: XmlRpcValue): string {
  return c && typeof c === "object" && !Array.isArray(c) && typeof (c as XmlRpcStruct).methodName === "string" ? String((c as XmlRpcStruct).methodName) : "?";
}

/** The shape of traceback.format_exception's lines: a header, frames, then "<class>: <message>". */
function pythonTraceback(exceptionClass: string, message: string, method: string): string[] {
  return [
    "Traceback (most recent call last):\n",
    '  File "/usr/lib/python3/site-packages/kojihub/kojixmlrpc.py", in multiCall\n    result = self._dispatch(call[\'methodName\'], call[\'params\'])\n',
    `  File "relengotron sandbox hub", in ${method}\n`,
    `${exceptionClass}: ${message}\n`,
  ];
}

function listenOn(server: http.Server | https.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** Message bodies are JSON: turn XML-RPC values (doubles, dates, bytes) into plain data. */
function plain(v: XmlRpcValue | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") return Number(v);
  if (typeof v !== "object") return v;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  if (v instanceof XmlRpcDouble) return v.value;
  if (Array.isArray(v)) return v.map(plain);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}

function isoTime(ts: number): string {
  return kojiTime(ts)!.replace(" ", "T");
}
