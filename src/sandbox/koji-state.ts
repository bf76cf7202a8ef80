// In-memory model of a Koji hub's database for the sandbox: versioned tag history keyed by
// event ids (like Koji's create_event/revoke_event columns), builds, RPMs, tasks, archives and
// sessions. Persisted as one JSON document, written atomically.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { BUILD_STATE_NAMES, BUILD_STATES, TASK_STATE_NAMES } from "../clients/koji.js";

export interface StoredEvent {
  id: number;
  /** seconds since the epoch, as Koji's date_part('epoch', time) */
  ts: number;
}

export interface StoredUser {
  id: number;
  name: string;
  /** Sandbox only: plain text, set from the hub's start options, never from the state file. */
  password?: string;
  perms: string[];
  /** user_krb_principals: the Kerberos principals that log in as this user */
  krb_principals?: string[];
}

export interface StoredTag {
  id: number;
  name: string;
  arches: string | null;
  locked: boolean;
  perm: string | null;
  extra: Record<string, unknown>;
  create_event: number;
}

export interface StoredInheritance {
  child_id: number;
  parent_id: number;
  priority: number;
  maxdepth: number | null;
  intransitive: boolean;
  noconfig: boolean;
  pkg_filter: string;
  create_event: number;
}

export interface StoredTarget {
  id: number;
  name: string;
  build_tag: number;
  dest_tag: number;
  create_event: number;
}

export interface StoredBuild {
  id: number;
  pkg_id: number;
  version: string;
  release: string;
  epoch: number | null;
  state: number;
  task_id: number | null;
  owner_id: number;
  create_event: number;
  start_ts: number | null;
  completion_ts: number | null;
  source: string | null;
  extra: Record<string, unknown> | null;
  /** The storage volume (kojihub.py volume table); absent: DEFAULT, id 0. */
  volume?: { id: number; name: string };
}

export interface StoredRpm {
  id: number;
  build_id: number;
  name: string;
  version: string;
  release: string;
  epoch: number | null;
  arch: string;
  size: number;
  payloadhash: string;
  buildtime: number;
  /** Sandbox-only dependency data used to resolve image contents. */
  requires: string[];
  provides: string[];
}

export interface StoredTagListing {
  tag_id: number;
  build_id: number;
  create_event: number;
  revoke_event: number | null;
  creator_id: number;
  revoker_id: number | null;
}

export interface StoredTask {
  id: number;
  method: string;
  state: number;
  parent: number | null;
  label: string | null;
  arch: string;
  owner: number;
  channel_id: number;
  host_id: number | null;
  priority: number;
  weight: number;
  create_ts: number;
  start_ts: number | null;
  completion_ts: number | null;
  waiting: boolean | null;
  awaited: boolean | null;
  /** The request as Koji stores it: an XML-RPC methodCall document. */
  request: string;
  /** The result as Koji stores it: a methodResponse document (possibly a fault). */
  result: string | null;
  /** Sandbox bookkeeping for image tasks: the event their content is resolved at, and the build. */
  repo_event?: number;
  build_id?: number;
}

export interface StoredArchive {
  id: number;
  build_id: number;
  type_id: number;
  btype_id: number;
  filename: string;
  size: number;
  checksum: string;
  checksum_type: number;
  /** image_archives.arch */
  arch: string;
  /** archive_rpm_components: rpm ids installed in this image */
  components: number[];
}

export interface StoredSession {
  id: number;
  key: string;
  user_id: number;
  callnum: number | null;
  closed: boolean;
  /** koji.AUTHTYPES: 0 NORMAL (password), 3 GSSAPI */
  authtype?: number;
  /** seconds since the epoch; missing in state files from before sessions expired (they count as expired) */
  start_ts?: number;
  renew_ts?: number | null;
  expired?: boolean;
}

interface Counters {
  event: number;
  user: number;
  package: number;
  tag: number;
  target: number;
  build: number;
  rpm: number;
  task: number;
  archive: number;
  session: number;
}

export interface StateData {
  version: 1;
  counters: Counters;
  events: StoredEvent[];
  users: StoredUser[];
  packages: { id: number; name: string }[];
  tags: StoredTag[];
  inheritance: StoredInheritance[];
  targets: StoredTarget[];
  builds: StoredBuild[];
  rpms: StoredRpm[];
  listings: StoredTagListing[];
  tasks: StoredTask[];
  archives: StoredArchive[];
  sessions: StoredSession[];
}

/** Koji-looking id ranges, so nothing confuses sandbox ids with small test numbers. */
const FIRST_IDS: Counters = {
  event: 120_000_000,
  user: 1,
  package: 1,
  tag: 100,
  target: 10,
  build: 2_800_000,
  rpm: 44_000_000,
  task: 135_000_000,
  archive: 9_100_000,
  session: 1,
};

/** "<user id>-<19 letters and digits>", as kojihub/auth.py createSession makes session keys. */
function sessionKey(userId: number): string {
  const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return `${userId}-${[...randomBytes(19)].map((b) => alnum[b % alnum.length]).join("")}`;
}

/** A hub-side error that becomes a Koji fault (faultCode from the class name). */
export class HubFault extends Error {
  constructor(
    readonly faultName: string,
    message: string,
  ) {
    super(message);
    this.name = faultName;
  }
}

export type StateChange =
  | { kind: "tag"; listing: StoredTagListing; userId: number }
  | { kind: "untag"; listing: StoredTagListing; userId: number }
  | { kind: "build.state"; build: StoredBuild; old: number | null }
  | { kind: "task.state"; task: StoredTask; old: number | null };

export const BTYPE_IMAGE = 4;
export const BTYPE_NAMES: Record<number, string> = { 1: "rpm", 2: "maven", 3: "win", 4: "image" };

export class KojiState {
  readonly data: StateData;
  private readonly clock: () => number;
  private dirty = false;
  /** Called synchronously for every change observers care about. */
  onChange: (change: StateChange) => void = () => {};

  constructor(data: StateData | undefined, clock: () => number) {
    this.clock = clock;
    this.data = data ?? {
      version: 1,
      counters: { ...FIRST_IDS },
      events: [],
      users: [],
      packages: [],
      tags: [],
      inheritance: [],
      targets: [],
      builds: [],
      rpms: [],
      listings: [],
      tasks: [],
      archives: [],
      sessions: [],
    };
    this.reindex();
  }

  // Lookups by id are hot (listTaggedRPMS touches every RPM); keep maps beside the arrays.
  private buildById = new Map<number, StoredBuild>();
  private rpmsByBuild = new Map<number, StoredRpm[]>();
  private rpmById = new Map<number, StoredRpm>();
  private taskById = new Map<number, StoredTask>();

  private reindex(): void {
    this.buildById = new Map(this.data.builds.map((b) => [b.id, b]));
    this.rpmById = new Map(this.data.rpms.map((r) => [r.id, r]));
    this.rpmsByBuild = new Map();
    for (const r of this.data.rpms) this.rpmsOf(r.build_id, true).push(r);
    this.taskById = new Map(this.data.tasks.map((t) => [t.id, t]));
  }

  private nextId(kind: keyof Counters): number {
    const value = this.data.counters[kind]++;
    this.dirty = true;
    return value;
  }

  nowTs(): number {
    return this.clock() / 1000;
  }

  // --- events ----------------------------------------------------------------------------------

  /** Every versioned change gets its own event, stamped by the injectable clock (or `ts`). */
  newEvent(ts?: number): number {
    const last = this.data.events.at(-1);
    const stamp = Math.max(ts ?? this.nowTs(), last?.ts ?? 0);
    const event = { id: this.nextId("event"), ts: stamp };
    this.data.events.push(event);
    return event.id;
  }

  lastEvent(before?: number): StoredEvent | undefined {
    if (before === undefined) return this.data.events.at(-1);
    for (let i = this.data.events.length - 1; i >= 0; i--) {
      if (this.data.events[i]!.ts < before) return this.data.events[i];
    }
    return undefined;
  }

  getEvent(id: number): StoredEvent | undefined {
    return this.data.events.find((e) => e.id === id);
  }

  // --- users, packages -------------------------------------------------------------------------

  ensureUser(name: string, perms: string[] = []): StoredUser {
    let user = this.findUser(name);
    if (!user) {
      user = { id: this.nextId("user"), name, perms: [...perms] };
      this.data.users.push(user);
    }
    return user;
  }

  findUser(info: number | string): StoredUser | undefined {
    return this.data.users.find((u) => (typeof info === "number" ? u.id === info : u.name === info));
  }

  userName(id: number): string {
    return this.findUser(id)?.name ?? `user#${id}`;
  }

  hasPerm(user: StoredUser | undefined, perm: string): boolean {
    return !!user && (user.perms.includes(perm) || user.perms.includes("admin"));
  }

  ensurePackage(name: string): { id: number; name: string } {
    let pkg = this.data.packages.find((p) => p.name === name);
    if (!pkg) {
      pkg = { id: this.nextId("package"), name };
      this.data.packages.push(pkg);
    }
    return pkg;
  }

  packageName(id: number): string {
    return this.data.packages.find((p) => p.id === id)?.name ?? `package#${id}`;
  }

  // --- tags, inheritance, targets --------------------------------------------------------------

  createTag(spec: { name: string; arches?: string | null; locked?: boolean; perm?: string | null; extra?: Record<string, unknown> }): StoredTag {
    if (this.data.tags.some((t) => t.name === spec.name)) throw new HubFault("GenericError", `A tag with the name ${spec.name} already exists`);
    const tag: StoredTag = {
      id: this.nextId("tag"),
      name: spec.name,
      arches: spec.arches ?? null,
      locked: spec.locked ?? false,
      perm: spec.perm ?? null,
      extra: spec.extra ?? {},
      create_event: this.newEvent(),
    };
    this.data.tags.push(tag);
    return tag;
  }

  /** A tag by name or id, as it existed at `event` (latest if omitted). */
  findTag(info: number | string, event?: number | null): StoredTag | undefined {
    const tag = this.data.tags.find((t) => (typeof info === "number" ? t.id === info : t.name === info));
    if (!tag) return undefined;
    if (event != null && tag.create_event > event) return undefined;
    return tag;
  }

  addInheritance(child: StoredTag, parent: StoredTag, priority = 0): void {
    this.data.inheritance.push({
      child_id: child.id,
      parent_id: parent.id,
      priority,
      maxdepth: null,
      intransitive: false,
      noconfig: false,
      pkg_filter: "",
      create_event: this.newEvent(),
    });
  }

  inheritanceOf(tagId: number, event?: number | null): StoredInheritance[] {
    return this.data.inheritance
      .filter((l) => l.child_id === tagId && (event == null || l.create_event <= event))
      .sort((a, b) => a.priority - b.priority || a.parent_id - b.parent_id);
  }

  /** readFullInheritance: depth-first by priority, each ancestor once. */
  fullInheritance(tagId: number, event?: number | null): (StoredInheritance & { currdepth: number })[] {
    const out: (StoredInheritance & { currdepth: number })[] = [];
    const seen = new Set<number>([tagId]);
    const walk = (id: number, depth: number) => {
      for (const link of this.inheritanceOf(id, event)) {
        if (seen.has(link.parent_id)) continue;
        seen.add(link.parent_id);
        out.push({ ...link, currdepth: depth });
        if (!link.intransitive) walk(link.parent_id, depth + 1);
      }
    };
    walk(tagId, 1);
    return out;
  }

  createTarget(name: string, buildTag: StoredTag, destTag: StoredTag): StoredTarget {
    const target = { id: this.nextId("target"), name, build_tag: buildTag.id, dest_tag: destTag.id, create_event: this.newEvent() };
    this.data.targets.push(target);
    return target;
  }

  findTarget(info: number | string, event?: number | null): StoredTarget | undefined {
    const t = this.data.targets.find((x) => (typeof info === "number" ? x.id === info : x.name === info));
    if (!t || (event != null && t.create_event > event)) return undefined;
    return t;
  }

  // --- builds and RPMs -------------------------------------------------------------------------

  getBuild(id: number): StoredBuild | undefined {
    return this.buildById.get(id);
  }

  findBuildByNvr(name: string, version: string, release: string): StoredBuild | undefined {
    const pkg = this.data.packages.find((p) => p.name === name);
    if (!pkg) return undefined;
    return this.data.builds.find((b) => b.pkg_id === pkg.id && b.version === version && b.release === release);
  }

  nvr(build: StoredBuild): string {
    return `${this.packageName(build.pkg_id)}-${build.version}-${build.release}`;
  }

  createBuild(spec: {
    name: string;
    version: string;
    release: string;
    epoch: number | null;
    owner: StoredUser;
    state: number;
    task_id?: number | null;
    source?: string | null;
    extra?: Record<string, unknown> | null;
    ts?: number;
  }): StoredBuild {
    const existing = this.findBuildByNvr(spec.name, spec.version, spec.release);
    if (existing) {
      throw new HubFault(
        "GenericError",
        `Build already exists (id=${existing.id}, state=${BUILD_STATE_NAMES[existing.state]}): {'name': '${spec.name}', 'version': '${spec.version}', 'release': '${spec.release}'}`,
      );
    }
    const event = this.newEvent(spec.ts);
    const ts = this.getEvent(event)!.ts;
    const build: StoredBuild = {
      id: this.nextId("build"),
      pkg_id: this.ensurePackage(spec.name).id,
      version: spec.version,
      release: spec.release,
      epoch: spec.epoch,
      state: spec.state,
      task_id: spec.task_id ?? null,
      owner_id: spec.owner.id,
      create_event: event,
      start_ts: ts,
      completion_ts: spec.state === BUILD_STATES.BUILDING ? null : ts,
      source: spec.source ?? null,
      extra: spec.extra ?? null,
    };
    this.data.builds.push(build);
    this.buildById.set(build.id, build);
    this.onChange({ kind: "build.state", build, old: null });
    return build;
  }

  setBuildState(build: StoredBuild, state: number): void {
    if (build.state === state) return;
    const old = build.state;
    build.state = state;
    this.newEvent();
    if (state !== BUILD_STATES.BUILDING) build.completion_ts = this.nowTs();
    this.dirty = true;
    this.onChange({ kind: "build.state", build, old });
  }

  addRpm(build: StoredBuild, spec: Omit<StoredRpm, "id" | "build_id">): StoredRpm {
    const rpm: StoredRpm = { id: this.nextId("rpm"), build_id: build.id, ...spec };
    this.data.rpms.push(rpm);
    this.rpmById.set(rpm.id, rpm);
    this.rpmsOf(build.id, true).push(rpm);
    return rpm;
  }

  rpmsOf(buildId: number, create = false): StoredRpm[] {
    let list = this.rpmsByBuild.get(buildId);
    if (!list) {
      list = [];
      if (create) this.rpmsByBuild.set(buildId, list);
    }
    return list;
  }

  getRpm(id: number): StoredRpm | undefined {
    return this.rpmById.get(id);
  }

  // --- tagging ---------------------------------------------------------------------------------

  isActive(listing: StoredTagListing, event?: number | null): boolean {
    if (event == null) return listing.revoke_event === null;
    return listing.create_event <= event && (listing.revoke_event === null || event < listing.revoke_event);
  }

  tagBuild(tag: StoredTag, build: StoredBuild, user: StoredUser): StoredTagListing {
    if (this.data.listings.some((l) => l.tag_id === tag.id && l.build_id === build.id && l.revoke_event === null)) {
      throw new HubFault("TagError", `build ${this.nvr(build)} already tagged (${tag.name})`);
    }
    const listing: StoredTagListing = {
      tag_id: tag.id,
      build_id: build.id,
      create_event: this.newEvent(),
      revoke_event: null,
      creator_id: user.id,
      revoker_id: null,
    };
    this.data.listings.push(listing);
    this.onChange({ kind: "tag", listing, userId: user.id });
    return listing;
  }

  untagBuild(tag: StoredTag, build: StoredBuild, user: StoredUser, strict: boolean): void {
    const listing = this.data.listings.find((l) => l.tag_id === tag.id && l.build_id === build.id && l.revoke_event === null);
    if (!listing) {
      if (strict) throw new HubFault("TagError", `build ${this.nvr(build)} not in tag ${tag.name}`);
      return;
    }
    listing.revoke_event = this.newEvent();
    listing.revoker_id = user.id;
    this.dirty = true;
    this.onChange({ kind: "untag", listing, userId: user.id });
  }

  /**
   * readTaggedBuilds: COMPLETE builds in the tag (and its ancestors with `inherit`), most
   * recently tagged first; `latest` keeps the first N per package, earlier tags shadowing later.
   */
  taggedBuilds(
    tagId: number,
    opts: { event?: number | null; inherit?: boolean; latest?: boolean | number; packageName?: string | null; owner?: string | null; type?: string | null },
  ): { listing: StoredTagListing; build: StoredBuild; tag: StoredTag }[] {
    const tagIds = [tagId, ...(opts.inherit ? this.fullInheritance(tagId, opts.event).map((l) => l.parent_id) : [])];
    const latest = opts.latest === true ? 1 : typeof opts.latest === "number" ? opts.latest : 0;
    const seen = new Map<number, number>();
    const out: { listing: StoredTagListing; build: StoredBuild; tag: StoredTag }[] = [];
    for (const id of tagIds) {
      const tag = this.findTag(id)!;
      const rows = this.data.listings
        .filter((l) => l.tag_id === id && this.isActive(l, opts.event))
        .map((listing) => ({ listing, build: this.buildById.get(listing.build_id)!, tag }))
        .filter(({ build }) => build.state === BUILD_STATES.COMPLETE)
        .filter(({ build }) => !opts.packageName || this.packageName(build.pkg_id) === opts.packageName)
        .filter(({ build }) => !opts.owner || this.userName(build.owner_id) === opts.owner)
        .filter(({ build }) => !opts.type || this.buildTypes(build).includes(opts.type))
        .sort((a, b) => b.listing.create_event - a.listing.create_event || b.build.id - a.build.id);
      for (const row of rows) {
        if (latest) {
          const n = seen.get(row.build.pkg_id) ?? 0;
          if (n >= latest) continue;
          seen.set(row.build.pkg_id, n + 1);
        }
        out.push(row);
      }
    }
    return out;
  }

  buildTypes(build: StoredBuild): string[] {
    const typeinfo = (build.extra?.typeinfo ?? {}) as Record<string, unknown>;
    const types = Object.keys(typeinfo);
    if (this.rpmsOf(build.id).length > 0 && !types.includes("rpm")) types.unshift("rpm");
    return types;
  }

  // --- tasks -----------------------------------------------------------------------------------

  createTask(spec: Omit<StoredTask, "id" | "state" | "create_ts" | "start_ts" | "completion_ts" | "host_id" | "result" | "waiting" | "awaited">): StoredTask {
    const task: StoredTask = {
      ...spec,
      id: this.nextId("task"),
      state: 0,
      host_id: null,
      create_ts: this.nowTs(),
      start_ts: null,
      completion_ts: null,
      result: null,
      waiting: null,
      awaited: spec.parent === null ? null : false,
    };
    this.data.tasks.push(task);
    this.taskById.set(task.id, task);
    this.onChange({ kind: "task.state", task, old: null });
    return task;
  }

  getTask(id: number): StoredTask | undefined {
    return this.taskById.get(id);
  }

  childrenOf(taskId: number): StoredTask[] {
    return this.data.tasks.filter((t) => t.parent === taskId);
  }

  setTaskState(task: StoredTask, state: number, result?: string | null): void {
    const old = task.state;
    task.state = state;
    const now = this.nowTs();
    if (TASK_STATE_NAMES[state] === "OPEN") {
      task.start_ts = now;
      task.host_id = 1;
    }
    if (["CLOSED", "FAILED", "CANCELED"].includes(TASK_STATE_NAMES[state] ?? "")) {
      task.completion_ts = now;
      if (result !== undefined) task.result = result;
    }
    this.dirty = true;
    if (old !== state) this.onChange({ kind: "task.state", task, old });
  }

  // --- archives --------------------------------------------------------------------------------

  addArchive(spec: Omit<StoredArchive, "id">): StoredArchive {
    const archive = { id: this.nextId("archive"), ...spec };
    this.data.archives.push(archive);
    return archive;
  }

  // --- sessions --------------------------------------------------------------------------------

  createSession(user: StoredUser, authtype = 0): StoredSession {
    const session: StoredSession = {
      id: this.nextId("session"),
      key: sessionKey(user.id),
      user_id: user.id,
      callnum: null,
      closed: false,
      authtype,
      start_ts: this.nowTs(),
      renew_ts: null,
      expired: false,
    };
    this.data.sessions.push(session);
    return session;
  }

  /** createSession(renew=True) of kojihub/auth.py: the same session id, a new key, not expired. */
  renewSession(session: StoredSession): StoredSession {
    session.key = sessionKey(session.user_id);
    session.expired = false;
    session.renew_ts = this.nowTs();
    this.dirty = true;
    return session;
  }

  expireSession(session: StoredSession): void {
    session.expired = true;
    this.dirty = true;
  }

  findUserByKrbPrincipal(principal: string): StoredUser | undefined {
    return this.data.users.find((u) => u.krb_principals?.includes(principal));
  }

  addKrbPrincipal(user: StoredUser, principal: string): void {
    user.krb_principals = [...(user.krb_principals ?? []).filter((p) => p !== principal), principal];
    this.dirty = true;
  }

  findSession(id: number): StoredSession | undefined {
    return this.data.sessions.find((s) => s.id === id && !s.closed);
  }

  closeSession(session: StoredSession): void {
    session.closed = true;
    this.dirty = true;
  }


  // --- persistence -----------------------------------------------------------------------------

  /** Writes the state if it changed: temp file + rename, so a crash never leaves half a file. */
  persist(file: string | undefined): void {
    if (!file || !this.dirty) return;
    const data: StateData = { ...this.data, users: this.data.users.map(({ password: _password, ...u }) => ({ ...u })) };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data));
    fs.renameSync(tmp, file);
    this.dirty = false;
  }

  static load(file: string, clock: () => number): KojiState | undefined {
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw err;
    }
    let data: StateData;
    try {
      data = JSON.parse(text) as StateData;
    } catch (err) {
      throw new Error(`sandbox Koji state file ${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (data?.version !== 1 || !Array.isArray(data.builds) || !data.counters) {
      throw new Error(`sandbox Koji state file ${file} is not a version 1 state document`);
    }
    return new KojiState(data, clock);
  }
}
