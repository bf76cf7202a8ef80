// Koji hub client: typed wrappers over XML-RPC, validated with zod at the boundary. Only the
// fields relengotron uses are required; everything else Koji sends is passed through.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { z } from "zod";
import { httpService, spnegoToken } from "./gssapi.js";
import {
  chunkMulticall,
  multicallRequestBytes,
  XmlRpcClient,
  XmlRpcHttpError,
  XmlRpcFault,
  type FetchFn,
  type MulticallRequest,
  type MulticallResult,
  type XmlRpcCallOptions,
  type XmlRpcStruct,
  type XmlRpcValue,
} from "./xmlrpc-client.js";

/** koji.*Error classes by faultCode, as in koji/__init__.py (koji 1.36). */
export const KOJI_FAULT_CODES = {
  GenericError: 1000,
  LockError: 1001,
  AuthError: 1002,
  TagError: 1003,
  ActionNotAllowed: 1004,
  BuildError: 1005,
  AuthLockError: 1006,
  AuthExpired: 1007,
  SequenceError: 1008,
  RetryError: 1009,
  PreBuildError: 1010,
  PostBuildError: 1011,
  BuildrootError: 1012,
  FunctionDeprecated: 1013,
  ServerOffline: 1014,
  LiveCDError: 1015,
  PluginError: 1016,
  CallbackError: 1017,
  ApplianceError: 1018,
  ParameterError: 1019,
  ImportError: 1020,
  ConfigurationError: 1021,
  LiveMediaError: 1022,
  GSSAPIAuthError: 1023,
  NameValidationError: 1024,
} as const;

export type KojiFaultName = keyof typeof KOJI_FAULT_CODES;

const FAULT_NAMES = new Map<number, KojiFaultName>(
  Object.entries(KOJI_FAULT_CODES).map(([name, code]) => [code, name as KojiFaultName]),
);

/** "koji.GenericError" for 1000; faults outside Koji's table keep the plain XML-RPC name. */
export function kojiFaultClass(faultCode: number): string {
  const name = FAULT_NAMES.get(faultCode);
  return name ? `koji.${name}` : `xmlrpc.Fault(${faultCode})`;
}

/** koji.TASK_STATES */
export const TASK_STATES = { FREE: 0, OPEN: 1, CLOSED: 2, CANCELED: 3, ASSIGNED: 4, FAILED: 5 } as const;
export type TaskStateName = keyof typeof TASK_STATES;
export const TASK_STATE_NAMES = Object.keys(TASK_STATES) as TaskStateName[];
/** koji.BUILD_STATES */
export const BUILD_STATES = { BUILDING: 0, COMPLETE: 1, DELETED: 2, FAILED: 3, CANCELED: 4 } as const;
export type BuildStateName = keyof typeof BUILD_STATES;
export const BUILD_STATE_NAMES = Object.keys(BUILD_STATES) as BuildStateName[];
/** koji.CHECKSUM_TYPES */
export const CHECKSUM_TYPES = { md5: 0, sha1: 1, sha256: 2 } as const;

export function isTaskFinished(state: number): boolean {
  return state === TASK_STATES.CLOSED || state === TASK_STATES.CANCELED || state === TASK_STATES.FAILED;
}

/** A fault raised by the hub, named by its Koji exception class. */
export class KojiError extends XmlRpcFault {
  readonly faultClass: string;
  constructor(
    fault: XmlRpcFault,
    readonly method: string,
  ) {
    const faultClass = kojiFaultClass(fault.faultCode);
    super(fault.faultCode, fault.faultString, `${faultClass}: ${fault.faultString} (koji call ${method})`);
    this.name = "KojiError";
    this.faultClass = faultClass;
  }

  is(name: KojiFaultName): boolean {
    return this.faultCode === KOJI_FAULT_CODES[name];
  }
}

/** The hub answered, but not with the shape Koji documents for this call. */
export class KojiResponseError extends Error {
  constructor(
    readonly method: string,
    detail: string,
  ) {
    super(`koji call ${method} returned an unexpected value: ${detail}`);
    this.name = "KojiResponseError";
  }
}

const id = z.number().int();
const nullableId = id.nullable();
const count = z.number().int().nonnegative();
const extraField = z.record(z.string(), z.unknown()).nullable();

export const kojiEventSchema = z.looseObject({ id, ts: z.number() });
export type KojiEvent = z.infer<typeof kojiEventSchema>;

export const kojiTagSchema = z.looseObject({
  id,
  name: z.string(),
  arches: z.string().nullable(),
  locked: z.boolean(),
  perm: z.string().nullable().optional(),
  extra: z.record(z.string(), z.unknown()),
});
export type KojiTag = z.infer<typeof kojiTagSchema>;

export const kojiTargetSchema = z.looseObject({
  id,
  name: z.string(),
  build_tag: id,
  build_tag_name: z.string(),
  dest_tag: id,
  dest_tag_name: z.string(),
});
export type KojiTarget = z.infer<typeof kojiTargetSchema>;

const buildCore = {
  build_id: id,
  name: z.string(),
  version: z.string(),
  release: z.string(),
  epoch: z.number().int().nullable(),
  nvr: z.string(),
  state: z.number().int(),
  task_id: nullableId,
  owner_id: id,
  owner_name: z.string(),
  package_id: id,
  package_name: z.string(),
  creation_event_id: id,
  creation_time: z.string(),
  completion_time: z.string().nullable(),
  volume_name: z.string(),
};

const buildTimes = {
  creation_ts: z.number(),
  completion_ts: z.number().nullable(),
  source: z.string().nullable(),
  extra: extraField,
};

/** getBuild's map (kojihub.py get_build): the id twice, as `id` and `build_id`. */
export const kojiBuildSchema = z.looseObject({
  id,
  ...buildCore,
  ...buildTimes,
});
export type KojiBuild = z.infer<typeof kojiBuildSchema>;

/**
 * A listBuilds row (kojihub.py listBuilds' fields): the id only as `build_id` — real Koji sends
 * no `id` here, unlike getBuild and listTagged.
 */
export const kojiBuildListEntrySchema = z.looseObject({
  ...buildCore,
  ...buildTimes,
});
export type KojiBuildListEntry = z.infer<typeof kojiBuildListEntrySchema>;

export const kojiTaggedBuildSchema = z.looseObject({
  id,
  ...buildCore,
  tag_id: id,
  tag_name: z.string(),
  /** The event at which the build entered this tag. */
  create_event: id,
  extra: extraField.optional(),
});
export type KojiTaggedBuild = z.infer<typeof kojiTaggedBuildSchema>;

export const kojiRpmSchema = z.looseObject({
  id,
  name: z.string(),
  version: z.string(),
  release: z.string(),
  epoch: z.number().int().nullable(),
  arch: z.string(),
  size: count,
  payloadhash: z.string(),
  buildtime: z.number().int(),
  build_id: nullableId,
  external_repo_id: id.optional(),
  extra: extraField.optional(),
});
export type KojiRpm = z.infer<typeof kojiRpmSchema>;

export const kojiArchiveSchema = z.looseObject({
  id,
  build_id: id,
  filename: z.string(),
  size: count,
  checksum: z.string(),
  checksum_type: z.number().int(),
  type_name: z.string(),
  btype: z.string(),
  extra: extraField,
  /** Present when listing with type "image". */
  arch: z.string().optional(),
});
export type KojiArchive = z.infer<typeof kojiArchiveSchema>;

export const kojiTaskInfoSchema = z.looseObject({
  id,
  state: z.number().int(),
  method: z.string(),
  parent: nullableId,
  arch: z.string(),
  owner: id,
  label: z.string().nullable(),
  host_id: nullableId,
  create_ts: z.number(),
  start_ts: z.number().nullable(),
  completion_ts: z.number().nullable(),
  request: z.array(z.unknown()).optional(),
});
export type KojiTaskInfo = z.infer<typeof kojiTaskInfoSchema>;

export const kojiTaskListEntrySchema = kojiTaskInfoSchema.extend({ owner_name: z.string(), request: z.unknown(), result: z.unknown() });
export type KojiTaskListEntry = z.infer<typeof kojiTaskListEntrySchema>;

/**
 * The result of a decoded listTasks row: kojihub.py _decode_tasks keeps xmlrpc loads' params
 * tuple, so a finished task's value arrives as `[value]` and a failed task's as its fault struct;
 * unfinished tasks have none (null).
 */
export function taskResultOf(entry: Pick<KojiTaskListEntry, "id" | "result">): { ok: true; value: unknown } | { ok: false; faultCode: number; faultString: string } | null {
  const r = entry.result;
  if (r === null || r === undefined) return null;
  if (Array.isArray(r) && r.length === 1) return { ok: true, value: r[0] };
  const f = z.looseObject({ faultCode: z.number().int(), faultString: z.string() }).safeParse(r);
  if (f.success) return { ok: false, faultCode: f.data.faultCode, faultString: f.data.faultString };
  throw new KojiResponseError("listTasks", `task ${entry.id}: result is neither [value] nor a fault struct`);
}

/** listTasks filters; a null owner/parent/host_id/channel_id means "IS NULL", a list "IN". */
export interface ListTasksOptions extends XmlRpcStruct {
  method?: string;
  state?: number[];
  not_state?: number[];
  arch?: string[];
  not_arch?: string[];
  owner?: number | number[] | null;
  parent?: number | number[] | null;
  not_parent?: number | number[] | null;
  host_id?: number | number[] | null;
  channel_id?: number | number[] | null;
  /** seconds since the epoch, or an ISO date */
  createdBefore?: number | string;
  createdAfter?: number | string;
  startedBefore?: number | string;
  startedAfter?: number | string;
  completeBefore?: number | string;
  completeAfter?: number | string;
  decode?: boolean;
}

export const kojiUserSchema = z.looseObject({ id, name: z.string() });
export type KojiUser = z.infer<typeof kojiUserSchema>;

const sessionInfoSchema = z.looseObject({
  "session-id": id,
  "session-key": z.string().min(1),
  "header-auth": z.boolean().optional(),
});

/** `opts` of buildImageOz (the fields Koji's image-build command sends). */
export interface ImageOzOptions extends XmlRpcStruct {
  ksurl?: string;
  kickstart?: string;
  ksversion?: string;
  format?: string[];
  release?: string;
  distro?: string;
  disk_size?: string;
  repo?: string[];
  scratch?: boolean;
  skip_tag?: boolean;
  optional_arches?: string[];
}

/** Keyword options of kiwiBuild (plugins/hub/kiwi.py). */
export interface KiwiBuildOptions {
  optional_arches?: string[];
  profile?: string;
  scratch?: boolean;
  priority?: number;
  make_prep?: boolean;
  repos?: string[];
  release?: string;
  type?: string;
  type_attr?: string[];
  result_bundle_name_format?: string;
  use_buildroot_repo?: boolean;
  version?: string;
  repo_releasever?: string;
}

/** `opts` of buildImage (livecd/appliance/livemedia). */
export interface LiveMediaOptions extends XmlRpcStruct {
  ksurl?: string;
  ksversion?: string;
  release?: string;
  repo?: string[];
  scratch?: boolean;
  skip_tag?: boolean;
  optional_arches?: string[];
  lorax_url?: string;
  lorax_dir?: string;
  install_tree_url?: string;
  title?: string;
}

/**
 * How the client logs in (KOJI_AUTH). Koji's own client offers the same three: anonymous calls,
 * `login` with a password (hubs that allow it), and `gssapi_login` — Kerberos through SPNEGO to
 * `<hub>/ssllogin`, the only login Fedora's hub accepts.
 */
export type KojiAuth =
  | { method: "none" }
  | { method: "password"; user: string; password: string }
  | {
      method: "gssapi";
      /** e.g. `relengotron/releng.fedoraproject.org@FEDORAPROJECT.ORG`; default: the ccache's principal */
      principal?: string;
      /** the principal's keytab (Fedora's service accounts have one); without it, the ccache's tickets */
      keytab?: string;
      /** credential cache (KRB5CCNAME form); default with a keytab: a private in-memory cache */
      ccache?: string;
    };

export interface KojiClientOptions {
  /** Hub URL, e.g. https://koji.fedoraproject.org/kojihub */
  url: string;
  /** Files URL, e.g. https://kojipkgs.fedoraproject.org; needed only for the *Url helpers. */
  topurl?: string;
  /** How to log in; default: password when `user` and `password` are given, else anonymous. */
  auth?: KojiAuth;
  /** Shorthand for `auth: { method: "password", user, password }`. */
  user?: string;
  password?: string;
  fetch?: FetchFn;
  timeoutMs?: number;
  /**
   * The hub's MaxRequestLength (kojixmlrpc.py, 4194304 bytes by default): multicalls are split
   * into requests that fit, by their encoded size.
   */
  maxRequestBytes?: number;
}

/** kojixmlrpc.py config_map: MaxRequestLength's default. */
export const DEFAULT_MAX_REQUEST_BYTES = 4_194_304;

/** Logging in failed before the hub could answer with a fault (Kerberos, HTTP). */
export class KojiLoginError extends Error {
  constructor(
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "KojiLoginError";
  }
}

export interface KojiCallOptions {
  kwargs?: XmlRpcStruct;
  signal?: AbortSignal;
}

type BuildRef = number | string | { name: string; version: string; release: string };

type Session = { id: number; key: string; headerAuth: boolean };

export class KojiClient {
  readonly url: string;
  readonly topurl: string | undefined;
  /** Largest request body sent (multicalls are split to fit). */
  readonly maxRequestBytes: number;
  /** How files under the topurl are fetched (the same fetch as the hub's calls). */
  readonly fetchFn: FetchFn;
  /** The password user or the Kerberos principal; undefined for anonymous clients. */
  readonly user: string | undefined;
  /** none, password or gssapi */
  readonly authMethod: KojiAuth["method"];
  private readonly rpc: XmlRpcClient;
  /** koji's `<hub>/ssllogin` handler (ClientSession._prepCall): where sslLogin goes. */
  private readonly sslLoginRpc: XmlRpcClient;
  // Private fields stay out of util.inspect and JSON, so credentials never reach a log line.
  readonly #auth: KojiAuth;
  #session: Session | undefined;
  #callnum = 0;
  // Calls carrying a callnum must reach the hub in order, or it answers SequenceError.
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: KojiClientOptions) {
    this.url = options.url;
    this.topurl = options.topurl?.replace(/\/+$/, "");
    this.maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.#auth = resolveAuth(options);
    this.authMethod = this.#auth.method;
    this.user = this.#auth.method === "password" ? this.#auth.user : this.#auth.method === "gssapi" ? this.#auth.principal : undefined;
    const common = { fetch: options.fetch, timeoutMs: options.timeoutMs, userAgent: "relengotron-koji/1" };
    this.rpc = new XmlRpcClient({ url: options.url, ...common });
    this.sslLoginRpc = new XmlRpcClient({ url: `${options.url.replace(/\/+$/, "")}/ssllogin`, ...common });
  }

  get loggedIn(): boolean {
    return this.#session !== undefined;
  }

  /** Raw call: positional params plus keyword args; faults become KojiError. */
  async call(method: string, params: readonly XmlRpcValue[] = [], options: KojiCallOptions = {}): Promise<XmlRpcValue> {
    return this.withSession(method, (auth) => this.rpc.call(method, params, { ...auth, kwargs: options.kwargs, signal: options.signal }));
  }

  /**
   * Several calls in as few round trips as fit the hub's MaxRequestLength; each result is its
   * value or a KojiError, in order. A hub with a smaller limit than `maxRequestBytes` answers
   * HTTP 400 "Request too long" before running anything, so that request is split in half and
   * sent again.
   */
  async multicall(calls: readonly MulticallRequest[], options: { signal?: AbortSignal } = {}): Promise<MulticallResult[]> {
    const results: MulticallResult[] = [];
    for (const chunk of chunkMulticall(calls, this.maxRequestBytes)) results.push(...(await this.multicallChunk(chunk, options.signal)));
    return results;
  }

  private async multicallChunk(calls: readonly MulticallRequest[], signal: AbortSignal | undefined): Promise<MulticallResult[]> {
    let results: MulticallResult[];
    try {
      results = await this.withSession("system.multicall", (auth) => this.rpc.multicall(calls, { ...auth, signal }));
    } catch (err) {
      if (!(err instanceof XmlRpcHttpError && err.status === 400 && /Request too long/.test(err.body))) throw err;
      if (calls.length === 1) {
        throw new KojiResponseError("system.multicall", `the hub refused one ${calls[0]!.method} call of ${multicallRequestBytes(calls)} bytes as longer than its MaxRequestLength`);
      }
      const half = Math.ceil(calls.length / 2);
      return [...(await this.multicallChunk(calls.slice(0, half), signal)), ...(await this.multicallChunk(calls.slice(half), signal))];
    }
    return results.map((r, i) => (r.ok ? r : { ok: false, fault: new KojiError(r.fault, calls[i]!.method) }));
  }

  /**
   * Runs one call with the session, if any. A session past the hub's SessionRenewalTimeout makes
   * every call fault AuthExpired (kojihub/auth.py); like koji's renew_expired_session decorator
   * (koji/__init__.py), the client then logs in again once and retries the call once.
   */
  private async withSession<T>(method: string, run: (auth: Pick<XmlRpcCallOptions, "headers" | "query">) => Promise<T>): Promise<T> {
    let used: Session | undefined;
    const once = () =>
      this.serialized(async () => {
        used = this.#session;
        try {
          return await run(this.sessionAuth());
        } catch (err) {
          if (err instanceof XmlRpcFault && !(err instanceof KojiError)) throw new KojiError(err, method);
          throw err;
        }
      });
    try {
      return await once();
    } catch (err) {
      if (!(err instanceof KojiError) || !err.is("AuthExpired") || !used || this.#auth.method === "none") throw err;
      await this.loginAgain(used);
      return once();
    }
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.#session) return fn();
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  private sessionAuth(): Pick<XmlRpcCallOptions, "headers" | "query"> {
    const s = this.#session;
    if (!s) return {};
    const callnum = String(this.#callnum++);
    if (s.headerAuth) {
      return { headers: { "Koji-Session-Id": String(s.id), "Koji-Session-Key": s.key, "Koji-Session-Callnum": callnum } };
    }
    // Hubs before 1.30 only read the session from the query string.
    return { query: { "session-id": String(s.id), "session-key": s.key, callnum } };
  }

  private async typed<S extends z.ZodType>(schema: S, method: string, params: readonly XmlRpcValue[], kwargs?: XmlRpcStruct): Promise<z.infer<S>> {
    const raw = await this.call(method, params, { kwargs: compact(kwargs) });
    return parseResult(schema, method, raw);
  }

  // --- session -------------------------------------------------------------------------------

  #loggingIn: Promise<void> | undefined;
  /** Logs in once before the first call that needs a session (concurrent callers share it). */
  private async ensureLogin(): Promise<void> {
    if (this.#session || this.#auth.method === "none") return;
    await this.login();
  }

  /**
   * Logs in as configured: `login` with the password, or Kerberos (`sslLogin` at
   * `<hub>/ssllogin` with `Authorization: Negotiate`). Later calls carry the session the way
   * koji 1.36 does. Concurrent callers share one login.
   */
  async login(): Promise<void> {
    if (this.#session) return;
    this.#loggingIn ??= this.startSession().finally(() => (this.#loggingIn = undefined));
    await this.#loggingIn;
  }

  /** After AuthExpired with `expired`: one new login shared by every call that saw it expire. */
  private async loginAgain(expired: Session): Promise<void> {
    if (this.#loggingIn) return this.#loggingIn;
    if (this.#session !== expired) return; // another call already logged in again
    // A new session rather than koji's renew=True: the hub keeps a renewed session's last
    // callnum (kojihub/auth.py createSession), so restarting the count at 0 would fault
    // SequenceError after any write.
    this.#loggingIn = this.startSession().finally(() => (this.#loggingIn = undefined));
    await this.#loggingIn;
  }

  private async startSession(): Promise<void> {
    const auth = this.#auth;
    let raw: XmlRpcValue;
    if (auth.method === "none") {
      throw new KojiLoginError(this.url, `cannot log in to ${this.url}: KOJI_AUTH is none (anonymous calls only)`);
    } else if (auth.method === "password") {
      raw = await this.rawCall(this.rpc, "login", [auth.user, auth.password]);
      if (raw === false || raw === null) throw new KojiLoginError(this.url, `login to ${this.url} as ${auth.user} was refused`);
    } else {
      raw = await this.gssapiLogin(auth);
    }
    const sinfo = parseResult(sessionInfoSchema, auth.method === "gssapi" ? "sslLogin" : "login", raw);
    this.#session = { id: sinfo["session-id"], key: sinfo["session-key"], headerAuth: sinfo["header-auth"] === true };
    this.#callnum = 0;
  }

  #ccache: string | undefined;
  /** koji.ClientSession.gssapi_login: a SPNEGO token for HTTP@<hub host>, then sslLogin at /ssllogin. */
  private async gssapiLogin(auth: Extract<KojiAuth, { method: "gssapi" }>): Promise<XmlRpcValue> {
    const who = auth.principal ?? "the credential cache's principal";
    // koji's gssapi_login switches the hub URL to https; we refuse instead of rewriting, because a
    // Negotiate token sent in the clear can be replayed. Loopback (the sandbox) is the exception.
    const hub = new URL(this.url);
    if (hub.protocol !== "https:" && !/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(hub.hostname)) {
      throw new KojiLoginError(this.url, `Kerberos login to ${this.url}: refusing to send a Negotiate token over plain http; use the hub's https:// URL`);
    }
    // With a keytab, tickets go to a cache of this client's own, never the user's default one.
    this.#ccache ??= auth.ccache ?? (auth.keytab ? `MEMORY:relengotron-koji-${randomUUID()}` : undefined);
    if (auth.keytab && !fs.existsSync(auth.keytab)) {
      throw new KojiLoginError(this.url, `Kerberos login to ${this.url} as ${who}: keytab ${auth.keytab} does not exist`);
    }
    const service = httpService(this.url);
    let token: string;
    try {
      token = await spnegoToken(service, { principal: auth.principal, keytab: auth.keytab, ccache: this.#ccache });
    } catch (err) {
      const hint = auth.keytab
        ? `is ${auth.keytab} a current keytab of ${who}, and does the KDC know ${service.replace("@", "/")}?`
        : `is there a valid ticket in ${this.#ccache ?? process.env.KRB5CCNAME ?? "the default credential cache"} (kinit), or set KOJI_KEYTAB?`;
      throw new KojiLoginError(this.url, `Kerberos login to ${this.url} as ${who} failed: ${(err as Error).message} (${hint})`, { cause: err });
    }
    try {
      return await this.rawCall(this.sslLoginRpc, "sslLogin", [], { headers: { Authorization: `Negotiate ${token}` } });
    } catch (err) {
      if (err instanceof XmlRpcHttpError) {
        throw new KojiLoginError(this.url, `Kerberos login to ${this.url} as ${who} was refused: HTTP ${err.status}${err.body ? `: ${err.body.trim().slice(0, 300)}` : ""}`, { cause: err });
      }
      throw err;
    }
  }

  /** A call outside the session machinery (logins); faults become KojiError. */
  private async rawCall(rpc: XmlRpcClient, method: string, params: XmlRpcValue[], options: Pick<XmlRpcCallOptions, "headers"> = {}): Promise<XmlRpcValue> {
    try {
      return await rpc.call(method, params, options);
    } catch (err) {
      if (err instanceof XmlRpcFault && !(err instanceof KojiError)) throw new KojiError(err, method);
      throw err;
    }
  }

  async logout(): Promise<void> {
    if (!this.#session) return;
    try {
      // Not through withSession: an expired session is simply dropped (koji's logout ignores AuthExpired).
      await this.serialized(() => this.rpc.call("logout", [], this.sessionAuth()));
    } catch (err) {
      if (!(err instanceof XmlRpcFault && err.faultCode === KOJI_FAULT_CODES.AuthExpired)) {
        throw err instanceof XmlRpcFault && !(err instanceof KojiError) ? new KojiError(err, "logout") : err;
      }
    } finally {
      this.#session = undefined;
    }
  }

  async getLoggedInUser(): Promise<KojiUser | null> {
    return this.typed(kojiUserSchema.nullable(), "getLoggedInUser", []);
  }

  // --- info ------------------------------------------------------------------------------------

  async hello(): Promise<string> {
    return this.typed(z.string(), "hello", []);
  }

  async getAPIVersion(): Promise<number> {
    return this.typed(z.number().int(), "getAPIVersion", []);
  }

  async getKojiVersion(): Promise<string> {
    return this.typed(z.string(), "getKojiVersion", []);
  }

  async getLastEvent(options: { before?: number } = {}): Promise<KojiEvent> {
    return this.typed(kojiEventSchema, "getLastEvent", [], { before: options.before });
  }

  /**
   * An event, or null when the hub has none with that id. Koji's getEvent raises for a missing
   * event — GenericError "query returned no rows" (kojihub.py getEvent, strict=True by default
   * since 1.35, always before) — so that fault is the "no such event" answer; others propagate.
   */
  async getEvent(eventId: number): Promise<KojiEvent | null> {
    try {
      return await this.typed(kojiEventSchema, "getEvent", [eventId]);
    } catch (err) {
      if (err instanceof KojiError && err.is("GenericError") && err.faultString === "query returned no rows") return null;
      throw err;
    }
  }

  async getTag(tag: number | string, options: { event?: number; strict?: boolean } = {}): Promise<KojiTag | null> {
    return this.typed(kojiTagSchema.nullable(), "getTag", [tag], { event: options.event, strict: options.strict });
  }

  async getBuildTarget(target: number | string, options: { event?: number; strict?: boolean } = {}): Promise<KojiTarget | null> {
    return this.typed(kojiTargetSchema.nullable(), "getBuildTarget", [target], { event: options.event, strict: options.strict });
  }

  async listTagged(
    tag: number | string,
    options: { event?: number; inherit?: boolean; latest?: boolean | number; package?: string; type?: string; extra?: boolean } = {},
  ): Promise<KojiTaggedBuild[]> {
    return this.typed(z.array(kojiTaggedBuildSchema), "listTagged", [tag], { ...options });
  }

  async getLatestBuilds(tag: number | string, options: { event?: number; package?: string; type?: string } = {}): Promise<KojiTaggedBuild[]> {
    return this.typed(z.array(kojiTaggedBuildSchema), "getLatestBuilds", [tag], { ...options });
  }

  /** Koji answers a pair [rpms, builds]. */
  async listTaggedRPMS(
    tag: number | string,
    options: { event?: number; inherit?: boolean; latest?: boolean | number; package?: string; arch?: string | string[] } = {},
  ): Promise<{ rpms: KojiRpm[]; builds: KojiTaggedBuild[] }> {
    const [rpms, builds] = await this.typed(z.tuple([z.array(kojiRpmSchema), z.array(kojiTaggedBuildSchema)]), "listTaggedRPMS", [tag], {
      ...options,
    });
    return { rpms, builds };
  }

  /** A build by id, NVR or {name, version, release}; null when it does not exist (unless strict). */
  async getBuild(build: BuildRef, options: { strict?: boolean } = {}): Promise<KojiBuild | null> {
    return this.typed(kojiBuildSchema.nullable(), "getBuild", [build], { strict: options.strict });
  }

  /**
   * The build types of several builds in one round trip (hub `getBuildType`, kojihub.py
   * get_build_type): "rpm" for package builds, "image" for livemedia/image/kiwi builds, "maven",
   * "win" or a content generator's type. null for a build the hub does not know.
   */
  async getBuildTypes(builds: readonly BuildRef[]): Promise<(string[] | null)[]> {
    const results = await this.multicall(builds.map((b) => ({ method: "getBuildType", params: [b] })));
    return results.map((r) => {
      if (!r.ok) throw r.fault;
      const types = parseResult(z.record(z.string(), z.unknown()).nullable(), "getBuildType", r.value);
      return types ? Object.keys(types).sort() : null;
    });
  }

  /** Builds matching Koji's listBuilds filters; `taskID` finds the build a task imported. Rows carry `build_id`, not `id`. */
  async listBuilds(options: { taskID?: number; packageID?: number | string; state?: number; type?: string; volumeID?: number } = {}): Promise<KojiBuildListEntry[]> {
    return this.typed(z.array(kojiBuildListEntrySchema), "listBuilds", [], { ...options });
  }

  async listBuildRPMs(build: BuildRef): Promise<KojiRpm[]> {
    return this.typed(z.array(kojiRpmSchema), "listBuildRPMs", [build]);
  }

  async listArchives(options: { buildID?: number; type?: string; filename?: string; archiveID?: number; strict?: boolean }): Promise<KojiArchive[]> {
    return this.typed(z.array(kojiArchiveSchema), "listArchives", [], { ...options });
  }

  /** With imageID: the RPM components Koji recorded for that image archive. */
  async listRPMs(options: { imageID?: number; buildID?: number; arches?: string | string[] }): Promise<KojiRpm[]> {
    return this.typed(z.array(kojiRpmSchema), "listRPMs", [], { ...options });
  }

  async getRPM(rpm: number | string | { name: string; version: string; release: string; arch: string }, options: { strict?: boolean } = {}): Promise<KojiRpm | null> {
    return this.typed(kojiRpmSchema.nullable(), "getRPM", [rpm], { strict: options.strict });
  }

  // --- image builds ----------------------------------------------------------------------------

  /** Oz image build (`koji image-build`); answers the parent task id. */
  async buildImageOz(
    name: string,
    version: string,
    arches: string[],
    target: string,
    instTree: string,
    opts: ImageOzOptions = {},
    priority?: number,
  ): Promise<number> {
    await this.ensureLogin();
    return this.typed(id, "buildImageOz", [name, version, arches, target, instTree, compact(opts) ?? {}], { priority });
  }

  /** Kiwi image build (kiwi hub plugin); answers the parent task id. */
  async kiwiBuild(target: string, arches: string[], descUrl: string, descPath: string, options: KiwiBuildOptions = {}): Promise<number> {
    await this.ensureLogin();
    return this.typed(id, "kiwiBuild", [target, arches, descUrl, descPath], { ...options });
  }

  /**
   * livecd/appliance/livemedia build (`koji spin-livemedia` and friends). For livemedia `arch` is
   * the list of arches; answers the parent task id.
   */
  async buildImage(
    name: string,
    version: string,
    arch: string | string[],
    target: string,
    ksfile: string,
    imgType: "livecd" | "appliance" | "livemedia",
    opts: LiveMediaOptions = {},
    priority?: number,
  ): Promise<number> {
    await this.ensureLogin();
    return this.typed(id, "buildImage", [name, version, arch, target, ksfile, imgType, compact(opts) ?? {}], { priority });
  }

  // --- tasks -----------------------------------------------------------------------------------

  /**
   * Koji's listTasks(opts, queryOpts). Unlike Koji, `decode` defaults to true here, so `request`
   * and `result` arrive as values rather than XML text — as kojihub.py _decode_tasks decodes
   * them: `request` the list of parameters, `result` the value wrapped in a one-element list
   * (a failed task's: its {faultCode, faultString}). `taskResultOf` unwraps it.
   */
  async listTasks(opts: ListTasksOptions = {}, queryOpts: { order?: string; limit?: number; offset?: number } = {}): Promise<KojiTaskListEntry[]> {
    const params: XmlRpcStruct = { decode: true, ...opts };
    return this.typed(z.array(kojiTaskListEntrySchema), "listTasks", [params, compact(queryOpts) ?? {}]);
  }

  async getTaskInfo(taskId: number, options: { request?: boolean; strict?: boolean } = {}): Promise<KojiTaskInfo | null> {
    return this.typed(kojiTaskInfoSchema.nullable(), "getTaskInfo", [taskId], { ...options });
  }

  async getTaskChildren(taskId: number, options: { request?: boolean; strict?: boolean } = {}): Promise<KojiTaskInfo[]> {
    return this.typed(z.array(kojiTaskInfoSchema), "getTaskChildren", [taskId], { ...options });
  }

  /** The task's result; a failed task's fault is thrown as KojiError (Koji's raise_fault). */
  async getTaskResult(taskId: number): Promise<XmlRpcValue> {
    return this.call("getTaskResult", [taskId]);
  }

  async listTaskOutput(taskId: number): Promise<string[]> {
    return this.typed(z.array(z.string()), "listTaskOutput", [taskId]);
  }

  /** File names with sizes (Koji sends st_size as a string to dodge 32-bit limits). */
  async listTaskOutputStat(taskId: number): Promise<Record<string, { st_size: number; st_mtime: number }>> {
    const schema = z.record(z.string(), z.looseObject({ st_size: z.coerce.number().int().nonnegative(), st_mtime: z.number() }));
    return this.typed(schema, "listTaskOutput", [taskId], { stat: true });
  }

  /** Bytes of a task output file; `size` -1 reads to the end, a negative offset counts from it. */
  async downloadTaskOutput(taskId: number, fileName: string, offset = 0, size = -1): Promise<Buffer> {
    const raw = await this.call("downloadTaskOutput", [taskId, fileName], { kwargs: { offset, size } });
    if (typeof raw === "string") return Buffer.from(raw, "base64");
    if (raw instanceof Uint8Array) return Buffer.from(raw);
    throw new KojiResponseError("downloadTaskOutput", `expected base64 text, got ${describe(raw)}`);
  }

  async cancelTask(taskId: number, options: { recurse?: boolean } = {}): Promise<void> {
    await this.ensureLogin();
    await this.call("cancelTask", [taskId], { kwargs: compact({ recurse: options.recurse }) });
  }

  /** Polls until the task is CLOSED, FAILED or CANCELED and answers its final info. */
  async waitForTask(taskId: number, options: { pollMs?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<KojiTaskInfo> {
    const pollMs = options.pollMs ?? 5_000;
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    for (;;) {
      const info = await this.getTaskInfo(taskId, { strict: true });
      if (!info) throw new KojiResponseError("getTaskInfo", `task ${taskId} vanished`);
      if (isTaskFinished(info.state)) return info;
      if (Date.now() + pollMs > deadline) throw new Error(`task ${taskId} still ${TASK_STATE_NAMES[info.state] ?? info.state} after ${options.timeoutMs} ms`);
      await sleep(pollMs, options.signal);
    }
  }

  // --- tagging ---------------------------------------------------------------------------------

  /** Starts a tagBuild task and answers its id. */
  async tagBuild(tag: number | string, build: BuildRef, options: { force?: boolean; fromtag?: number | string } = {}): Promise<number> {
    await this.ensureLogin();
    return this.typed(id, "tagBuild", [tag, build], { ...options });
  }

  async untagBuild(tag: number | string, build: BuildRef, options: { strict?: boolean; force?: boolean } = {}): Promise<void> {
    await this.ensureLogin();
    await this.call("untagBuild", [tag, build], { kwargs: compact({ ...options }) });
  }

  // --- file locations (topurl layout, koji.PathInfo) --------------------------------------------

  /** PathInfo.volumedir: the topurl itself for the DEFAULT volume, `vol/<name>` for the others. */
  volumeUrl(volume: string | null | undefined): string {
    const top = this.requireTopurl();
    return !volume || volume === "DEFAULT" ? top : `${top}/vol/${encodeURI(volume)}`;
  }

  /** PathInfo.build: `<volume>/packages/<name>/<version>/<release>`, on the build's volume. */
  buildUrl(build: { name: string; version: string; release: string; volume_name?: string | null }): string {
    return `${this.volumeUrl(build.volume_name)}/packages/${encodeURI(build.name)}/${encodeURI(build.version)}/${encodeURI(build.release)}`;
  }

  /** PathInfo.imagebuild + the archive's file name: where the CLI's download-build fetches an image. */
  imageUrl(build: { name: string; version: string; release: string; volume_name?: string | null }, filename: string): string {
    return `${this.buildUrl(build)}/images/${encodeURI(filename)}`;
  }

  taskOutputUrl(taskId: number, filename: string): string {
    return `${this.requireTopurl()}/work/tasks/${taskId % 10000}/${taskId}/${filename}`;
  }

  private requireTopurl(): string {
    if (!this.topurl) throw new Error(`no topurl configured for the Koji hub at ${this.url} (KOJI_TOPURL, e.g. https://kojipkgs.fedoraproject.org)`);
    return this.topurl;
  }
}

function resolveAuth(options: KojiClientOptions): KojiAuth {
  if (options.auth) return options.auth;
  if (options.user !== undefined && options.password !== undefined) return { method: "password", user: options.user, password: options.password };
  return { method: "none" };
}

function parseResult<S extends z.ZodType>(schema: S, method: string, raw: XmlRpcValue): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const at = issue.path.length ? issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("") : "(top level)";
  throw new KojiResponseError(method, `${at}: ${issue.message}`);
}

function compact<T extends XmlRpcStruct>(struct: T | undefined): T | undefined {
  if (!struct) return undefined;
  return Object.fromEntries(Object.entries(struct).filter(([, v]) => v !== undefined)) as T;
}

function describe(v: XmlRpcValue): string {
  if (v === null) return "nil";
  if (Array.isArray(v)) return "an array";
  return typeof v;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
