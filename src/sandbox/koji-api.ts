// The sandbox hub's XML-RPC methods: Koji's names, signatures, defaults, return shapes and error
// messages (kojihub/kojihub.py, koji 1.36), implemented over KojiState.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { BUILD_STATE_NAMES, BUILD_STATES, TASK_STATES } from "../clients/koji.js";
import { decodeXmlRpc, encodeMethodCall, XmlRpcDouble, type XmlRpcStruct, type XmlRpcValue } from "../clients/xmlrpc-codec.js";
import { asInt, asStr, def, fault, isStruct, pyRepr, pyStr, pyType, truthy, type Arg, type Args, type MethodSpec as GenericMethodSpec } from "./koji-python.js";
import {
  archiveRow,
  buildRow,
  listBuildRow,
  encodeFaultXml,
  encodeResultXml,
  listRpmRow,
  rpmRow,
  taggedRow,
  taggedRpmRow,
  tagRow,
  targetRow,
  taskRequest,
  taskResult,
  taskRow,
} from "./koji-rows.js";
import { HubFault, type KojiState, type StoredBuild, type StoredRpm, type StoredSession, type StoredTag, type StoredTarget, type StoredTask, type StoredUser } from "./koji-state.js";

export const KOJI_VERSION = "1.36.1";
export const PRIO_DEFAULT = 20;

/** What a method sees of the hub. */
export interface HubServices {
  state: KojiState;
  topDir: string;
  /** Starts (or resumes) the asynchronous work of an image build parent task. */
  startImageTask(task: StoredTask): void;
  /** Stops timers of tasks that were just canceled. */
  tasksCanceled(ids: number[]): void;
  /** Sandbox builds; shared with KojiHub.createBuild. */
  createBuild(spec: SandboxBuildSpec, owner?: StoredUser): StoredBuild;
  /** auth.Session.login; `renew`: the expired session the call came with, when it asks to renew it. */
  login(user: string, password: XmlRpcValue, renew?: StoredSession): StoredSession;
  /** auth.Session.sslLogin for the principal /ssllogin verified (undefined when it did not). */
  sslLogin(remoteUser: string | undefined, proxyuser: XmlRpcValue, renew?: StoredSession): StoredSession;
}

export interface CallContext {
  hub: HubServices;
  user: StoredUser | undefined;
  session: StoredSession | undefined;
  method: string;
  /** The Kerberos principal GSSAPI verified for this request (mod_auth_gssapi's REMOTE_USER). */
  remoteUser?: string;
}

export type MethodSpec = GenericMethodSpec<CallContext>;

/** name_or_id_clause: an int is an id, a str a name, a dict may carry either. */
function nameOrId(info: Arg): number | string {
  let v: Arg = info;
  if (isStruct(v)) {
    if ("id" in v) v = v.id ?? null;
    else if ("name" in v) v = v.name ?? null;
    else throw fault("ParameterError", `Invalid name or id value: ${pyStr(info)}`);
  }
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string") return v;
  throw fault("ParameterError", `Invalid name or id value: ${pyStr(info)}`);
}

function eventArg(v: Arg): number | null {
  return v === null || v === undefined ? null : asInt(v, "event");
}

// --- lookups with Koji's errors --------------------------------------------------------------------

function getTag(state: KojiState, info: Arg, strict: boolean, event: number | null): StoredTag | undefined {
  const key = nameOrId(info);
  const tag = state.findTag(key, event);
  if (!tag && strict) throw fault("GenericError", `No such tagInfo: ${pyRepr(info)}`);
  return tag;
}

/** get_tag_id(strict=True) goes through lookup_name, whose message differs from get_tag's. */
function getTagId(state: KojiState, info: Arg): number {
  const key = nameOrId(info);
  const tag = state.findTag(key);
  if (!tag) throw fault("GenericError", `No such entry in table tag: ${pyStr(info)}`);
  return tag.id;
}

function parseNVR(nvr: string): { name: string; version: string; release: string; epoch: string } {
  const p2 = nvr.lastIndexOf("-");
  if (p2 === -1 || p2 === nvr.length - 1) throw fault("GenericError", `invalid format: ${nvr}`);
  const p1 = nvr.lastIndexOf("-", p2 - 1);
  if (p1 === -1 || p1 === p2 - 1) throw fault("GenericError", `invalid format: ${nvr}`);
  let name = nvr.slice(0, p1);
  let epoch = "";
  const colon = name.indexOf(":");
  if (colon !== -1) {
    epoch = name.slice(0, colon);
    name = name.slice(colon + 1);
  }
  return { name, version: nvr.slice(p1 + 1, p2), release: nvr.slice(p2 + 1), epoch };
}

function parseNVRA(nvra: string): { name: string; version: string; release: string; arch: string } {
  let s = nvra.split("@")[0]!;
  if (s.endsWith(".rpm")) s = s.slice(0, -4);
  const p3 = s.lastIndexOf(".");
  if (p3 === -1 || p3 === s.length - 1) throw fault("GenericError", `invalid format: ${s}`);
  return { ...parseNVR(s.slice(0, p3)), arch: s.slice(p3 + 1) };
}

/** find_build_id + get_build */
function getBuild(state: KojiState, info: Arg, strict: boolean): StoredBuild | undefined {
  let build: StoredBuild | undefined;
  if (typeof info === "number" && Number.isInteger(info)) {
    build = state.getBuild(info);
    if (!build && strict) throw fault("GenericError", `No such build: ${info}`);
    return build;
  }
  let data: XmlRpcStruct;
  if (typeof info === "string") data = parseNVR(info);
  else if (isStruct(info)) data = info;
  else throw fault("GenericError", `Invalid type for argument: ${pyType(info)}`);
  if (!("name" in data && "version" in data && "release" in data)) throw fault("GenericError", "did not provide name, version, and release");
  build = state.findBuildByNvr(String(data.name), String(data.version), String(data.release));
  if (!build && strict) throw fault("GenericError", `No such build: ${pyRepr(info)}`);
  return build;
}

function getTarget(state: KojiState, info: Arg, strict: boolean, event: number | null = null): StoredTarget | undefined {
  const t = state.findTarget(nameOrId(info), event);
  if (!t && strict) throw fault("GenericError", `No such build target: ${pyStr(info)}`);
  return t;
}

function getTask(state: KojiState, id: Arg): StoredTask {
  const taskId = asInt(id, "task id");
  const task = state.getTask(taskId);
  if (!task) throw fault("GenericError", `No such task: ${taskId}`);
  return task;
}

function assertLogin(ctx: CallContext): StoredUser {
  if (!ctx.user) throw fault("ActionNotAllowed", "you must be logged in for this operation");
  return ctx.user;
}

function assertPerm(ctx: CallContext, perm: string): StoredUser {
  if (!ctx.hub.state.hasPerm(ctx.user, perm)) {
    const who = ctx.user ? ` (logged in as ${ctx.user.name})` : " (user not logged in)";
    throw fault("ActionNotAllowed", `${perm} permission required${who}`);
  }
  return ctx.user!;
}

/** queryOpts: order ("-field" descending), offset, limit, countOnly. */
function applyQueryOpts(rows: XmlRpcStruct[], opts: Arg): XmlRpcValue {
  if (!isStruct(opts)) return rows;
  let out = rows;
  if (typeof opts.order === "string") {
    const keys = opts.order.split(",").map((k) => k.trim());
    out = [...out].sort((a, b) => {
      for (const key of keys) {
        const desc = key.startsWith("-");
        const field = desc ? key.slice(1) : key;
        const x = a[field] as never;
        const y = b[field] as never;
        if (x === y) continue;
        const cmp = x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
        return desc ? -cmp : cmp;
      }
      return 0;
    });
  }
  if (typeof opts.offset === "number") out = out.slice(opts.offset);
  if (typeof opts.limit === "number") out = out.slice(0, opts.limit);
  if (opts.countOnly) return out.length;
  return out;
}

// --- task creation -----------------------------------------------------------------------------

export const CHANNELS: Record<string, number> = { default: 1, createrepo: 2, image: 3, livemedia: 4 };

function makeTask(
  ctx: CallContext,
  method: string,
  params: XmlRpcValue[],
  opts: { channel?: string; arch?: string; priority?: number; parent?: number | null; label?: string | null; weight?: number; owner?: number },
): StoredTask {
  return ctx.hub.state.createTask({
    method,
    parent: opts.parent ?? null,
    label: opts.label ?? null,
    arch: opts.arch ?? "noarch",
    owner: opts.owner ?? ctx.user!.id,
    channel_id: CHANNELS[opts.channel ?? "default"] ?? 1,
    priority: opts.priority ?? PRIO_DEFAULT,
    weight: opts.weight ?? 0.2,
    request: encodeMethodCall(method, params),
  });
}

function priorityOpt(ctx: CallContext, priority: Arg): number | undefined {
  if (!truthy(priority)) return undefined;
  const p = asInt(priority, "priority");
  if (p < 0 && !ctx.hub.state.hasPerm(ctx.user, "admin")) throw fault("ActionNotAllowed", "only admins may create high-priority tasks");
  return PRIO_DEFAULT + p;
}

const KNOWN_ARCHES = new Set(["x86_64", "aarch64", "ppc64le", "s390x", "i686", "armhfp", "noarch", "src", "riscv64"]);

function parseArches(v: Arg, what: string): string[] {
  const list = Array.isArray(v) ? v.map((a) => asStr(a, what)) : typeof v === "string" ? v.split(/[\s,]+/) : null;
  if (!list) throw fault("ParameterError", `Invalid type for value '${pyStr(v)}': ${pyType(v)}, expected a list of arches (${what})`);
  const arches = list.filter(Boolean);
  for (const a of arches) if (!KNOWN_ARCHES.has(a)) throw fault("GenericError", `Invalid architecture: ${a}`);
  if (arches.length === 0) throw fault("GenericError", `No arches given (${what})`);
  return arches;
}

// --- sandbox.createBuild input -----------------------------------------------------------------

const nvrPart = z.string().min(1).regex(/^[^\s/-]+$/, "must be non-empty without '-', '/' or whitespace");
export const sandboxBuildSpecSchema = z.object({
  name: z.string().min(1).regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "must be a package name (letters, digits, . _ + -)"),
  epoch: z.number().int().nonnegative().nullable().default(null),
  version: nvrPart,
  release: nvrPart,
  owner: z.string().min(1).optional(),
  source: z.string().optional(),
  rpms: z
    .array(
      z.object({
        name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "must be an RPM name").optional(),
        arch: z.string().refine((a) => KNOWN_ARCHES.has(a), "must be a known arch (x86_64, aarch64, ppc64le, s390x, noarch, src, …)"),
        size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
        requires: z.array(z.string().min(1)).default([]),
        provides: z.array(z.string().min(1)).default([]),
        buildtime: z.number().int().optional(),
      }),
    )
    .min(1, "a build needs at least one RPM"),
});
export type SandboxBuildSpec = z.input<typeof sandboxBuildSpecSchema>;

export function parseSandboxBuildSpec(raw: unknown): z.output<typeof sandboxBuildSpecSchema> {
  const parsed = sandboxBuildSpecSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const at = issue.path.length ? issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") : "build";
  throw fault("ParameterError", `sandbox.createBuild: ${at}: ${issue.message}`);
}

// --- the method table --------------------------------------------------------------------------

function taskOutputDir(topDir: string, taskId: number): string {
  return path.join(topDir, "work", "tasks", String(taskId % 10000), String(taskId));
}

function walkFiles(dir: string, prefix = ""): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walkFiles(path.join(dir, e.name), rel));
    else if (e.isFile()) out.push(rel);
    // os.walk (list_task_output) lists a symlink among the files unless it points to a
    // directory, and does not follow it: importImageInternal leaves such links behind.
    else if (e.isSymbolicLink() && !isDirectory(path.join(dir, e.name))) out.push(rel);
  }
  return out;
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function cancelTask(state: KojiState, task: StoredTask, recurse: boolean, canceled: number[]): boolean {
  if (task.state === TASK_STATES.CANCELED) return true;
  if (task.state === TASK_STATES.CLOSED || task.state === TASK_STATES.FAILED) return false;
  state.setTaskState(task, TASK_STATES.CANCELED);
  canceled.push(task.id);
  for (const b of state.data.builds) {
    if (b.task_id === task.id && b.state === BUILD_STATES.BUILDING) state.setBuildState(b, BUILD_STATES.CANCELED);
  }
  if (recurse) for (const child of state.childrenOf(task.id)) cancelTask(state, child, true, canceled);
  return true;
}

/** host.tagBuild as run by a tagBuild task; a move when fromtag is given. */
function runTagTask(ctx: CallContext, tag: StoredTag, build: StoredBuild, fromTag: StoredTag | undefined, parent: number | null, owner: StoredUser): number {
  const { state } = ctx.hub;
  const task = makeTask(ctx, "tagBuild", [tag.id, build.id, false, fromTag?.id ?? null], {
    priority: 10,
    parent,
    label: parent ? "tag" : null,
    owner: owner.id,
  });
  state.setTaskState(task, TASK_STATES.OPEN);
  try {
    state.tagBuild(tag, build, owner);
    if (fromTag) state.untagBuild(fromTag, build, owner, true);
    state.setTaskState(task, TASK_STATES.CLOSED, encodeResultXml(null));
  } catch (err) {
    if (!(err instanceof HubFault)) throw err;
    state.setTaskState(task, TASK_STATES.FAILED, encodeFaultXml(err));
  }
  return task.id;
}

function nextRelease(state: KojiState, name: string, version: string): string {
  let max = 0;
  for (const b of state.data.builds) {
    if (state.packageName(b.pkg_id) !== name || b.version !== version) continue;
    const m = /^(\d+)/.exec(b.release);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return String(max + 1);
}

function userRow(u: StoredUser): XmlRpcStruct {
  return { id: u.id, name: u.name, status: 0, usertype: 0, krb_principals: [...(u.krb_principals ?? [])] };
}

function methods(): MethodSpec[] {
  const def = defMethod;
  return [
    def("hello", "*args", () => "Hello World"),
    def("echo", "*args", (a) => a.args!),
    def("getAPIVersion", "", () => 1),
    def("getKojiVersion", "", () => KOJI_VERSION),

    def("login", "user, password, opts=None, renew=False, exclusive=False", (a, ctx) => {
      if (typeof a.password !== "string" || a.password.length === 0) throw fault("AuthError", "invalid username or password");
      if (ctx.user) throw fault("AuthError", "Already logged in");
      if (typeof a.user !== "string") throw fault("AuthError", "invalid username or password");
      const s = ctx.hub.login(a.user, a.password, truthy(a.renew) ? ctx.session : undefined);
      return { "session-id": s.id, "session-key": s.key, "header-auth": true };
    }),
    def("sslLogin", "proxyuser=None, proxyauthtype=None, renew=False, exclusive=None", (a, ctx) => {
      if (ctx.user) throw fault("AuthError", "Already logged in");
      const s = ctx.hub.sslLogin(ctx.remoteUser, a.proxyuser ?? null, truthy(a.renew) ? ctx.session : undefined);
      return { "session-id": s.id, "session-key": s.key, "header-auth": true };
    }),
    def("logout", "session_id=None", (a, ctx) => {
      if (!ctx.session) throw fault("AuthError", "Not logged in");
      const target = a.session_id === null ? ctx.session : ctx.hub.state.findSession(asInt(a.session_id, "session_id"));
      if (!target) return;
      if (target.id !== ctx.session.id && !ctx.hub.state.hasPerm(ctx.user, "admin") && target.user_id !== ctx.user!.id) {
        throw fault("ActionNotAllowed", "only admins or owner may logout other session");
      }
      ctx.hub.state.closeSession(target);
    }),
    // getLoggedInUser: getUser plus the session's authtype and the first principal (kojihub.py)
    def("getLoggedInUser", "", (_a, ctx) => {
      if (!ctx.user) return null;
      const row = userRow(ctx.user);
      return { ...row, authtype: ctx.session?.authtype ?? 0, krb_principal: ctx.user.krb_principals?.[0] ?? null };
    }),
    def("getUser", "userInfo=None, strict=False, krb_princs=True, groups=False", (a, ctx) => {
      const info = a.userInfo === null ? ctx.user?.id : nameOrId(a.userInfo);
      const user = info === undefined ? undefined : ctx.hub.state.findUser(info);
      if (!user && truthy(a.strict)) throw fault("GenericError", `No such user: ${pyStr(a.userInfo)}`);
      return user ? userRow(user) : null;
    }),
    def("getPerms", "", (_a, ctx) => ctx.user?.perms ?? []),
    def("hasPerm", "perm, strict=False", (a, ctx) => ctx.hub.state.hasPerm(ctx.user, asStr(a.perm!, "perm"))),

    def("getLastEvent", "before=None, strict=True", (a, ctx) => {
      if (a.before !== null && typeof a.before !== "number" && !(a.before instanceof XmlRpcDouble)) {
        throw fault("GenericError", `Invalid type for before: ${pyType(a.before)}`);
      }
      const before = a.before === null ? undefined : a.before instanceof XmlRpcDouble ? a.before.value : (a.before as number);
      const e = ctx.hub.state.lastEvent(before);
      if (!e) {
        if (truthy(a.strict)) throw fault("GenericError", before === undefined ? "No events recorded" : `No event before ${before}`);
        return null;
      }
      return { id: e.id, ts: new XmlRpcDouble(e.ts) };
    }),
    // kojihub.py getEvent: strict defaults to True (koji >= 1.35; before, it always raised), and
    // the error is QueryProcessor.executeOne's (kojihub/db.py), not a "No such event".
    def("getEvent", "id, strict=True", (a, ctx) => {
      const e = ctx.hub.state.getEvent(asInt(a.id!, "event id"));
      if (!e && truthy(a.strict)) throw fault("GenericError", "query returned no rows");
      return e ? { id: e.id, ts: new XmlRpcDouble(e.ts) } : null;
    }),

    def("getTag", "tagInfo, strict=False, event=None, blocked=False", (a, ctx) => {
      const event = eventArg(a.event!);
      const tag = getTag(ctx.hub.state, a.tagInfo!, truthy(a.strict), event);
      return tag ? tagRow(tag, event) : null;
    }),
    def("listTags", "build=None, package=None, perms=True, queryOpts=None, pattern=None", (a, ctx) => {
      const { state } = ctx.hub;
      let tags = state.data.tags;
      if (a.build !== null) {
        const b = getBuild(state, a.build!, true)!;
        const ids = new Set(state.data.listings.filter((l) => l.build_id === b.id && l.revoke_event === null).map((l) => l.tag_id));
        tags = tags.filter((t) => ids.has(t.id));
      }
      if (typeof a.pattern === "string") {
        const re = new RegExp(`^${a.pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
        tags = tags.filter((t) => re.test(t.name));
      }
      return applyQueryOpts(tags.map((t) => tagRow(t, null)), a.queryOpts!);
    }),
    def("getInheritanceData", "tag, event=None", (a, ctx) => {
      const { state } = ctx.hub;
      const tagId = getTagId(state, a.tag!);
      return state.inheritanceOf(tagId, eventArg(a.event!)).map((l) => ({
        parent_id: l.parent_id,
        name: state.findTag(l.parent_id)!.name,
        priority: l.priority,
        maxdepth: l.maxdepth,
        intransitive: l.intransitive,
        noconfig: l.noconfig,
        pkg_filter: l.pkg_filter,
        child_id: l.child_id,
      }));
    }),
    def("getBuildConfig", "tag, event=None", (a, ctx) => {
      const { state } = ctx.hub;
      const event = eventArg(a.event!);
      const tag = getTag(state, a.tag!, true, event)!;
      const row = tagRow(tag, event);
      const chain = [tag, ...state.fullInheritance(tag.id, event).map((l) => state.findTag(l.parent_id)!)];
      row.arches = chain.find((t) => t.arches)?.arches ?? null;
      row.extra = Object.assign({}, ...[...chain].reverse().map((t) => t.extra)) as XmlRpcStruct;
      return row;
    }),
    def("getBuildTarget", "info, event=None, strict=False", (a, ctx) => {
      const t = getTarget(ctx.hub.state, a.info!, truthy(a.strict), eventArg(a.event!));
      return t ? targetRow(ctx.hub.state, t) : null;
    }),
    def("getBuildTargets", "info=None, event=None, buildTagID=None, destTagID=None, queryOpts=None", (a, ctx) => {
      const { state } = ctx.hub;
      const event = eventArg(a.event!);
      let ts = state.data.targets.filter((t) => event === null || t.create_event <= event);
      if (a.info !== null) {
        const key = nameOrId(a.info!);
        ts = ts.filter((t) => (typeof key === "number" ? t.id === key : t.name === key));
      }
      if (a.buildTagID !== null) ts = ts.filter((t) => t.build_tag === getTagId(state, a.buildTagID!));
      if (a.destTagID !== null) ts = ts.filter((t) => t.dest_tag === getTagId(state, a.destTagID!));
      return applyQueryOpts(ts.map((t) => targetRow(state, t)), a.queryOpts!);
    }),

    def(
      "listTagged",
      "tag, event=None, inherit=False, prefix=None, latest=False, package=None, owner=None, type=None, strict=True, extra=False, draft=None",
      (a, ctx) => {
        const { state } = ctx.hub;
        const event = eventArg(a.event!);
        const tag = getTag(state, a.tag!, truthy(a.strict), event);
        if (!tag) return [];
        let rows = state.taggedBuilds(tag.id, {
          event,
          inherit: truthy(a.inherit),
          latest: latestArg(a.latest!),
          packageName: a.package === null ? null : asStr(a.package!, "package"),
          owner: a.owner === null ? null : asStr(a.owner!, "owner"),
          type: a.type === null ? null : asStr(a.type!, "type"),
        });
        if (a.draft === true) rows = [];
        if (typeof a.prefix === "string") {
          const prefix = a.prefix.toLowerCase();
          rows = rows.filter((r) => state.packageName(r.build.pkg_id).toLowerCase().startsWith(prefix));
        }
        return rows.map((r) => taggedRow(state, r.listing, r.build, r.tag, truthy(a.extra)));
      },
    ),
    def("getLatestBuilds", "tag, event=None, package=None, type=None, draft=None", (a, ctx) => {
      const { state } = ctx.hub;
      const tagId = typeof a.tag === "number" ? a.tag : getTagId(state, a.tag!);
      const rows = state.taggedBuilds(tagId, {
        event: eventArg(a.event!),
        inherit: true,
        latest: true,
        packageName: a.package === null ? null : asStr(a.package!, "package"),
        type: a.type === null ? null : asStr(a.type!, "type"),
      });
      return rows.map((r) => taggedRow(state, r.listing, r.build, r.tag, false));
    }),
    def(
      "listTaggedRPMS",
      "tag, event=None, inherit=False, latest=False, package=None, arch=None, rpmsigs=False, owner=None, type=None, strict=True, extra=True, draft=None",
      (a, ctx) => taggedRpms(ctx, a, latestArg(a.latest!), truthy(a.inherit)),
    ),
    def("getLatestRPMS", "tag, package=None, arch=None, event=None, rpmsigs=False, type=None, draft=None", (a, ctx) =>
      taggedRpms(ctx, { ...a, strict: true, owner: null }, true, true),
    ),

    def("getBuild", "buildInfo, strict=False", (a, ctx) => {
      const b = getBuild(ctx.hub.state, a.buildInfo!, truthy(a.strict));
      return b ? buildRow(ctx.hub.state, b) : null;
    }),
    // kojihub.py get_build_type: {btype: typeinfo}; for "image" the legacy image_builds row
    // (get_image_build: {build_id}) takes precedence over typeinfo, as upstream does.
    def("getBuildType", "buildInfo, strict=False", (a, ctx) => {
      const b = getBuild(ctx.hub.state, a.buildInfo!, truthy(a.strict));
      if (!b) return null;
      const typeinfo = (b.extra?.typeinfo ?? {}) as Record<string, XmlRpcValue>;
      const types: XmlRpcStruct = {};
      for (const type of ctx.hub.state.buildTypes(b)) types[type] = type === "image" ? { build_id: b.id } : (typeinfo[type] ?? null);
      return types;
    }),
    def("getNextRelease", "build_info, incr=1", (a, ctx) => {
      if (!isStruct(a.build_info)) throw fault("GenericError", `Invalid build info: ${pyStr(a.build_info)}`);
      return nextRelease(ctx.hub.state, String(a.build_info.name), String(a.build_info.version));
    }),
    def(
      "listBuilds",
      "packageID=None, userID=None, taskID=None, prefix=None, state=None, volumeID=None, source=None, createdBefore=None, createdAfter=None, completeBefore=None, completeAfter=None, type=None, typeInfo=None, queryOpts=None, pattern=None, cgID=None, draft=None",
      (a, ctx) => {
        const { state } = ctx.hub;
        let builds = state.data.builds;
        if (a.packageID !== null) {
          const key = nameOrId(a.packageID!);
          builds = builds.filter((b) => (typeof key === "number" ? b.pkg_id === key : state.packageName(b.pkg_id) === key));
        }
        if (a.userID !== null) {
          const key = nameOrId(a.userID!);
          builds = builds.filter((b) => (typeof key === "number" ? b.owner_id === key : state.userName(b.owner_id) === key));
        }
        if (a.taskID !== null) {
          const taskId = asInt(a.taskID!, "taskID");
          builds = builds.filter((b) => (taskId === -1 ? b.task_id !== null : b.task_id === taskId));
        }
        if (a.volumeID !== null) builds = builds.filter((b) => (b.volume?.id ?? 0) === asInt(a.volumeID!, "volumeID"));
        if (typeof a.prefix === "string") builds = builds.filter((b) => state.packageName(b.pkg_id).startsWith(a.prefix as string));
        if (a.state !== null) builds = builds.filter((b) => b.state === a.state);
        if (a.type !== null) builds = builds.filter((b) => state.buildTypes(b).includes(String(a.type)));
        if (typeof a.pattern === "string") {
          const re = new RegExp(`^${a.pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
          builds = builds.filter((b) => re.test(state.nvr(b)));
        }
        return applyQueryOpts(builds.map((b) => listBuildRow(state, b)), a.queryOpts!);
      },
    ),
    def("listBuildRPMs", "build", (a, ctx) => {
      const { state } = ctx.hub;
      const build = typeof a.build === "number" ? state.getBuild(a.build) : getBuild(state, a.build!, true);
      return build ? state.rpmsOf(build.id).map(listRpmRow) : [];
    }),
    def(
      "listRPMs",
      "buildID=None, buildrootID=None, imageID=None, componentBuildrootID=None, hostID=None, arches=None, queryOpts=None, draft=None",
      (a, ctx) => {
        const { state } = ctx.hub;
        let rpms: StoredRpm[];
        if (a.imageID !== null) {
          const archive = state.data.archives.find((x) => x.id === asInt(a.imageID!, "imageID"));
          rpms = archive ? archive.components.map((id) => state.getRpm(id)!).filter(Boolean) : [];
          if (a.buildID !== null) rpms = rpms.filter((r) => r.build_id === a.buildID);
        } else if (a.buildID !== null) {
          rpms = state.rpmsOf(asInt(a.buildID!, "buildID"));
        } else if (a.buildrootID !== null || a.componentBuildrootID !== null || a.hostID !== null) {
          rpms = [];
        } else {
          rpms = state.data.rpms;
        }
        if (a.arches !== null) {
          if (typeof a.arches === "string") rpms = rpms.filter((r) => r.arch === a.arches);
          else if (Array.isArray(a.arches)) rpms = rpms.filter((r) => (a.arches as XmlRpcValue[]).includes(r.arch));
          else throw fault("GenericError", `Invalid type for "arches" parameter: ${pyType(a.arches)}`);
        }
        if (a.draft === true) rpms = [];
        return applyQueryOpts(rpms.map(listRpmRow), a.queryOpts!);
      },
    ),
    def("getRPM", "rpminfo, strict=False, multi=False", (a, ctx) => {
      const { state } = ctx.hub;
      const info = a.rpminfo!;
      let data: XmlRpcStruct;
      if (typeof info === "number" && Number.isInteger(info)) data = { id: info };
      else if (typeof info === "string") data = /^\d+$/.test(info) ? { id: Number(info) } : parseNVRA(info);
      else if (isStruct(info)) data = { ...info };
      else throw fault("GenericError", `Invalid type for rpminfo: ${pyType(info)}`);
      const found =
        "id" in data
          ? [state.getRpm(asInt(data.id!, "rpm id"))].filter((r): r is StoredRpm => !!r)
          : state.data.rpms.filter((r) => r.name === data.name && r.version === data.version && r.release === data.release && r.arch === data.arch);
      if (truthy(a.multi)) return found.map(rpmRow);
      if (found.length === 0) {
        if (truthy(a.strict)) throw fault("GenericError", `No such rpm: ${pyRepr(data)}`);
        return null;
      }
      return rpmRow(found[0]!);
    }),
    def("getRPMDeps", "rpmID, depType=None, queryOpts=None, strict=False", (a, ctx) => {
      const rpm = ctx.hub.state.getRpm(asInt(a.rpmID!, "rpmID"));
      if (!rpm) {
        if (truthy(a.strict)) throw fault("GenericError", `No such rpm: ${pyStr(a.rpmID)}`);
        return [];
      }
      const deps = [
        ...rpm.requires.map((name) => ({ name, version: "", flags: 0, type: 0 })),
        ...rpm.provides.map((name) => ({ name, version: "", flags: 0, type: 1 })),
      ];
      return applyQueryOpts(a.depType === null ? deps : deps.filter((d) => d.type === a.depType), a.queryOpts!);
    }),
    def(
      "listArchives",
      "buildID=None, buildrootID=None, componentBuildrootID=None, hostID=None, type=None, filename=None, size=None, checksum=None, checksum_type=None, typeInfo=None, queryOpts=None, imageID=None, archiveID=None, strict=False",
      (a, ctx) => {
        const { state } = ctx.hub;
        let archives = state.data.archives;
        if (a.buildID !== null) archives = archives.filter((x) => x.build_id === asInt(a.buildID!, "buildID"));
        if (a.buildrootID !== null || a.componentBuildrootID !== null || a.hostID !== null || a.imageID !== null) archives = [];
        if (a.filename !== null) archives = archives.filter((x) => x.filename === a.filename);
        if (a.size !== null) archives = archives.filter((x) => x.size === a.size);
        if (a.checksum !== null) archives = archives.filter((x) => x.checksum === a.checksum);
        if (a.checksum_type !== null) archives = archives.filter((x) => x.checksum_type === a.checksum_type);
        if (a.archiveID !== null) archives = archives.filter((x) => x.id === asInt(a.archiveID!, "archiveID"));
        const type = a.type === null ? null : asStr(a.type!, "type");
        if (type !== null && type !== "image") {
          if (!["maven", "win", "rpm"].includes(type)) throw fault("GenericError", `unsupported archive type: ${type}`);
          archives = [];
        }
        if (truthy(a.strict) && archives.length === 0) throw fault("GenericError", "No archives found.");
        return applyQueryOpts(archives.map((x) => archiveRow(x, type === "image")), a.queryOpts!);
      },
    ),

    def("buildImageOz", "name, version, arches, target, inst_tree, opts=None, priority=None", (a, ctx) => {
      const name = asStr(a.name!, "name");
      const version = asStr(a.version!, "version");
      asStr(a.inst_tree!, "inst_tree");
      assertPerm(ctx, "image");
      parseArches(a.arches!, "arches");
      const task = makeTask(ctx, "image", [name, version, a.arches!, a.target!, a.inst_tree!, a.opts!], {
        channel: "image",
        priority: priorityOpt(ctx, a.priority!),
      });
      ctx.hub.startImageTask(task);
      return task.id;
    }),
    def(
      "kiwiBuild",
      "target, arches, desc_url, desc_path, optional_arches=None, profile=None, scratch=False, priority=None, make_prep=False, repos=None, release=None, type=None, type_attr=None, result_bundle_name_format=None, use_buildroot_repo=True, version=None, repo_releasever=None",
      (a, ctx) => {
        assertPerm(ctx, "image");
        for (const k of ["desc_url", "desc_path", "profile", "version", "release", "repo_releasever"]) if (a[k] !== null) asStr(a[k]!, k);
        getTarget(ctx.hub.state, a.target!, true);
        const arches = parseArches(a.arches!, "arches");
        const opts: XmlRpcStruct = {};
        if (truthy(a.scratch)) opts.scratch = true;
        for (const k of ["profile", "version", "release", "repo_releasever", "type", "type_attr", "result_bundle_name_format", "repos"]) {
          if (truthy(a[k]!)) opts[k] = a[k]!;
        }
        if (truthy(a.optional_arches)) opts.optional_arches = parseArches(a.optional_arches!, "optional_arches");
        if (truthy(a.make_prep)) opts.make_prep = true;
        if (truthy(a.use_buildroot_repo)) opts.use_buildroot_repo = true;
        const task = makeTask(ctx, "kiwiBuild", [a.target!, arches, a.desc_url!, a.desc_path!, opts], {
          channel: "image",
          priority: priorityOpt(ctx, a.priority!),
        });
        ctx.hub.startImageTask(task);
        return task.id;
      },
    ),
    def("buildImage", "name, version, arch, target, ksfile, img_type, opts=None, priority=None", (a, ctx) => {
      const imgType = a.img_type;
      if (imgType !== "livecd" && imgType !== "appliance" && imgType !== "livemedia") {
        throw fault("GenericError", `Unrecognized image type: ${pyStr(imgType)}`);
      }
      for (const k of ["name", "ksfile", "version"]) asStr(a[k]!, k);
      assertPerm(ctx, imgType);
      if (imgType !== "livemedia") throw fault("GenericError", `The sandbox hub does not run ${imgType} tasks; use livemedia`);
      parseArches(a.arch!, "arch");
      const task = makeTask(ctx, imgType, [a.name!, a.version!, a.arch!, a.target!, a.ksfile!, a.opts!], {
        channel: imgType,
        arch: "noarch",
        priority: priorityOpt(ctx, a.priority!),
      });
      ctx.hub.startImageTask(task);
      return task.id;
    }),

    def("listTasks", "opts=None, queryOpts=None", (a, ctx) => {
      const { state } = ctx.hub;
      const opts: XmlRpcStruct = isStruct(a.opts) ? a.opts : {};
      let tasks = state.data.tasks;
      for (const f of ["arch", "state"] as const) {
        if (f in opts) tasks = tasks.filter((t) => asList(opts[f]).includes(t[f]));
        if (`not_${f}` in opts) tasks = tasks.filter((t) => !asList(opts[`not_${f}`]).includes(t[f]));
      }
      for (const f of ["owner", "host_id", "channel_id", "parent"] as const) {
        // Koji: None means IS NULL, a list means IN, anything else equality.
        const match = (want: XmlRpcValue | undefined, t: StoredTask) => (want === null ? t[f] === null : Array.isArray(want) ? want.includes(t[f]) : t[f] === want);
        if (f in opts) tasks = tasks.filter((t) => match(opts[f], t));
        if (`not_${f}` in opts) tasks = tasks.filter((t) => !match(opts[`not_${f}`], t));
      }
      if (typeof opts.method === "string") tasks = tasks.filter((t) => t.method === opts.method);
      const times: [string, "create_ts" | "start_ts" | "completion_ts", 1 | -1][] = [
        ["createdBefore", "create_ts", -1], ["createdAfter", "create_ts", 1], ["startedBefore", "start_ts", -1], ["startedAfter", "start_ts", 1],
        ["completeBefore", "completion_ts", -1], ["completeAfter", "completion_ts", 1], ["completedBefore", "completion_ts", -1], ["completedAfter", "completion_ts", 1],
      ];
      for (const [key, field, dir] of times) {
        if (opts[key] === undefined || opts[key] === null) continue;
        const limit = timestampArg(opts[key], key);
        tasks = tasks.filter((t) => t[field] !== null && (dir === 1 ? t[field]! > limit : t[field]! < limit));
      }
      const decode = truthy(opts.decode);
      const rows = tasks.map((t) => {
        const row = taskRow(t, false);
        row.request = decode ? taskRequest(t) : t.request;
        row.result = decode ? storedResult(t) : t.result;
        row.owner_name = state.userName(t.owner);
        row.owner_type = 0;
        return row;
      });
      return applyQueryOpts(rows, a.queryOpts);
    }),
    def("getTaskInfo", "task_id, request=False, strict=False", (a, ctx) => {
      const { state } = ctx.hub;
      const one = (idv: XmlRpcValue): XmlRpcValue => {
        const t = state.getTask(asInt(idv, "task_id"));
        if (!t) {
          if (truthy(a.strict)) throw fault("GenericError", `No such task: ${pyStr(idv)}`);
          return null;
        }
        return taskRow(t, truthy(a.request));
      };
      return Array.isArray(a.task_id) ? a.task_id.map(one) : one(a.task_id!);
    }),
    def("getTaskChildren", "task_id, request=False, strict=False", (a, ctx) => {
      const { state } = ctx.hub;
      const taskId = asInt(a.task_id!, "task_id");
      if (truthy(a.strict) && !state.getTask(taskId)) throw fault("GenericError", `No such task: ${taskId}`);
      return state.childrenOf(taskId).map((t) => taskRow(t, truthy(a.request)));
    }),
    def("getTaskRequest", "taskId", (a, ctx) => taskRequest(getTask(ctx.hub.state, a.taskId!))),
    def("getTaskResult", "taskId, raise_fault=True", (a, ctx) => {
      const t = ctx.hub.state.getTask(asInt(a.taskId!, "taskId"));
      if (!t) throw fault("GenericError", "No such task");
      return taskResult(t, truthy(a.raise_fault));
    }),
    def("listTaskOutput", "taskID, stat=False, all_volumes=False, strict=False", (a, ctx) => {
      const taskId = asInt(a.taskID!, "taskID");
      if (truthy(a.strict) && !ctx.hub.state.getTask(taskId)) throw fault("GenericError", "Task doesn't exist");
      const dir = taskOutputDir(ctx.hub.topDir, taskId);
      const files = walkFiles(dir);
      if (!truthy(a.stat) && !truthy(a.all_volumes)) return files;
      const out: XmlRpcStruct = {};
      for (const f of files) {
        const st = fs.statSync(path.join(dir, f));
        const info = { st_size: String(st.size), st_atime: new XmlRpcDouble(st.atimeMs / 1000), st_mtime: new XmlRpcDouble(st.mtimeMs / 1000), st_ctime: new XmlRpcDouble(st.ctimeMs / 1000) };
        out[f] = truthy(a.all_volumes) ? (truthy(a.stat) ? { DEFAULT: info } : ["DEFAULT"]) : info;
      }
      return out;
    }),
    def("downloadTaskOutput", "taskID, fileName, offset=0, size=-1, volume=None", (a, ctx) => {
      const taskId = asInt(a.taskID!, "taskID");
      const fileName = asStr(a.fileName!, "fileName");
      const size = asInt(a.size!, "size");
      if (fileName.includes("..")) throw fault("GenericError", `Invalid file name: ${fileName}`);
      const file = path.normalize(path.join(taskOutputDir(ctx.hub.topDir, taskId), fileName));
      let data: Buffer;
      try {
        if (!fs.statSync(file).isFile()) throw new Error("not a file");
        data = fs.readFileSync(file);
      } catch {
        throw fault("GenericError", `no file "${fileName}" output by task ${taskId}`);
      }
      const offset = asInt(a.offset!, "offset");
      const start = offset > 0 ? Math.min(offset, data.length) : offset < 0 ? Math.max(0, data.length + offset) : 0;
      const end = size < 0 ? data.length : Math.min(data.length, start + size);
      return data.subarray(start, end).toString("base64");
    }),
    def("cancelTask", "task_id, recurse=True", (a, ctx) => {
      const { state } = ctx.hub;
      const task = getTask(state, a.task_id!);
      const owner = ctx.user && task.owner === ctx.user.id;
      if (!owner && !state.hasPerm(ctx.user, "admin")) throw fault("ActionNotAllowed", "Cannot cancel task, not owner");
      const canceled: number[] = [];
      cancelTask(state, task, truthy(a.recurse), canceled);
      ctx.hub.tasksCanceled(canceled);
    }),
    def("cancelTaskChildren", "task_id", (a, ctx) => {
      const { state } = ctx.hub;
      assertLogin(ctx);
      const task = getTask(state, a.task_id!);
      if (task.owner !== ctx.user!.id && !state.hasPerm(ctx.user, "admin")) throw fault("ActionNotAllowed", "Cannot cancel task, not owner");
      const canceled: number[] = [];
      for (const child of state.childrenOf(task.id)) cancelTask(state, child, true, canceled);
      ctx.hub.tasksCanceled(canceled);
    }),

    def("tagBuild", "tag, build, force=False, fromtag=None", (a, ctx) => {
      const user = assertLogin(ctx);
      const { state } = ctx.hub;
      const build = getBuild(state, a.build!, true)!;
      const tag = getTag(state, a.tag!, true, null)!;
      const fromTag = truthy(a.fromtag) ? getTag(state, a.fromtag!, true, null) : undefined;
      if (build.state !== BUILD_STATES.COMPLETE) {
        throw fault("TagError", `build ${state.nvr(build)} not complete: state ${BUILD_STATE_NAMES[build.state]}`);
      }
      assertTagAccess(ctx, tag, truthy(a.force));
      if (fromTag) assertTagAccess(ctx, fromTag, truthy(a.force));
      return runTagTask(ctx, tag, build, fromTag, null, user);
    }),
    def("untagBuild", "tag, build, strict=True, force=False", (a, ctx) => {
      const user = assertLogin(ctx);
      const { state } = ctx.hub;
      const tag = getTag(state, a.tag!, true, null)!;
      const build = getBuild(state, a.build!, true)!;
      assertTagAccess(ctx, tag, truthy(a.force));
      state.untagBuild(tag, build, user, truthy(a.strict));
    }),

    def(
      "sandbox.createBuild",
      "build",
      (a, ctx) => ctx.hub.createBuild(parseSandboxBuildSpec(a.build) as SandboxBuildSpec, ctx.user).id,
      "Sandbox only (not a Koji API): import a COMPLETE RPM build {name, epoch, version, release, rpms: [{name?, arch, size, requires, provides}]} and return its id",
    ),
  ];
}

function asList(v: Arg): XmlRpcValue[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/** convert_timestamp: seconds since the epoch, or an ISO date string. */
function timestampArg(v: Arg, what: string): number {
  if (typeof v === "number") return v;
  if (v instanceof XmlRpcDouble) return v.value;
  if (typeof v === "string" && !Number.isNaN(Date.parse(v))) return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`) / 1000;
  throw fault("GenericError", `Invalid type for ${what}: ${pyType(v)}`);
}

/**
 * _decode_tasks (kojihub.py listTasks): `data, method = xmlrpcplus.loads(result)` keeps the
 * params tuple, so a result arrives wrapped in a one-element list; a stored fault comes back as
 * the Fault object, which the marshaller sends as its {faultCode, faultString} struct.
 * (getTaskResult, by contrast, answers `result[0]`: the bare value.)
 */
function storedResult(t: StoredTask): XmlRpcValue {
  if (!t.result) return null;
  const decoded = decodeXmlRpc(t.result);
  if (decoded.kind === "fault") return { faultCode: decoded.fault.faultCode, faultString: decoded.fault.faultString };
  return decoded.kind === "response" ? [decoded.value] : null;
}

function latestArg(v: Arg): boolean | number {
  if (typeof v === "number" && v !== 0 && v !== 1) return v;
  return truthy(v);
}

function assertTagAccess(ctx: CallContext, tag: StoredTag, force: boolean): void {
  const { state } = ctx.hub;
  const admin = state.hasPerm(ctx.user, "admin");
  if (tag.locked && !(force && admin)) throw fault("ActionNotAllowed", `tag ${tag.name} is locked`);
  if (tag.perm && !state.hasPerm(ctx.user, tag.perm)) throw fault("ActionNotAllowed", `${tag.perm} permission required`);
}

function taggedRpms(ctx: CallContext, a: Args, latest: boolean | number, inherit: boolean): XmlRpcValue {
  const { state } = ctx.hub;
  const event = eventArg(a.event ?? null);
  const tag = getTag(state, a.tag!, truthy(a.strict ?? true), event);
  if (!tag) return [];
  const rows = state.taggedBuilds(tag.id, {
    event,
    inherit,
    latest,
    packageName: a.package == null ? null : asStr(a.package, "package"),
    owner: a.owner == null ? null : asStr(a.owner, "owner"),
    type: a.type == null ? null : asStr(a.type, "type"),
  });
  let arches: string[] | null = null;
  if (a.arch != null) {
    if (typeof a.arch === "string") arches = [a.arch];
    else if (Array.isArray(a.arch)) arches = a.arch.map((x) => asStr(x, "arch"));
    else throw fault("GenericError", `Invalid type for arch option: ${pyType(a.arch)}`);
  }
  const rpms: XmlRpcStruct[] = [];
  for (const { build } of rows) {
    for (const r of state.rpmsOf(build.id)) if (!arches || arches.includes(r.arch)) rpms.push(taggedRpmRow(r));
  }
  return [rpms, rows.map((r) => taggedRow(state, r.listing, r.build, r.tag, false))];
}

export function buildMethodTable(): Map<string, MethodSpec> {
  const table = new Map<string, MethodSpec>();
  for (const m of methods()) table.set(m.name, m);
  return table;
}

/** system.listMethods / _listapi / system.methodHelp, answered from the signatures. */
export function introspection(table: Map<string, MethodSpec>): MethodSpec[] {
  const def = defMethod;
  return [
    def("system.listMethods", "", () => [...table.keys(), "multiCall", "system.multicall", "system.listMethods", "system.methodHelp", "_listapi"].sort()),
    def("system.methodHelp", "method", (a) => {
      const m = table.get(String(a.method));
      return m ? `${m.name}(${m.signature})${m.doc ? `\ndescription: ${m.doc}` : ""}` : "";
    }),
    def("_listapi", "", () =>
      [...table.values()].map((m) => ({
        name: m.name,
        doc: m.doc ?? null,
        argdesc: `(${m.signature})`,
        args: m.params.map((p): XmlRpcValue => (p.required ? p.name : [p.name, p.default ?? null])),
      })),
    ),
  ];
}

function defMethod(name: string, signature: string, run: MethodSpec["run"], doc?: string): MethodSpec {
  return def<CallContext>(name, signature, run, doc);
}
