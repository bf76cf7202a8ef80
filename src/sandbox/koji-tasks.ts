// Image builds in the sandbox hub: the parent task (image / kiwiBuild / livemedia) opens, creates
// the image build and one child per arch (createImage / createKiwiImage / createLiveMedia); each
// child resolves the image content from the description's package list through requires/provides
// over the latest builds of the target's build tag, at the event the parent started, and writes
// a deterministic image file whose size follows the sum of its RPM sizes.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { BUILD_STATES, TASK_STATES } from "../clients/koji.js";
import { decodeXmlRpc, encodeMethodCall, XmlRpcFault, type XmlRpcStruct, type XmlRpcValue } from "../clients/xmlrpc-codec.js";
import { CHANNELS } from "./koji-api.js";
import { archiveTypeFor, encodeFaultXml, encodeResultXml, faultCodeOf, taskRequest, targetRow } from "./koji-rows.js";
import { BTYPE_IMAGE, HubFault, type KojiState, type StoredBuild, type StoredRpm, type StoredTask } from "./koji-state.js";

/** A kickstart or kiwi description the sandbox "checks out" when an image task names it. */
export interface ImageDescription {
  kind: "kickstart" | "kiwi";
  /** What Koji is given: the kickstart file name (ksfile / opts.kickstart) or kiwi desc_path. */
  path: string;
  /** Kiwi profile; image name becomes `${imageName}-${profile}` as the kiwi plugin does. */
  profile?: string;
  /** Kiwi: <image name=…> and <preferences><version> of the description. */
  imageName?: string;
  version?: string;
  /** Kiwi: image formats the profile produces ("qcow2", "raw-xz", "oci", "iso"). */
  outputs?: string[];
  title?: string;
  /** Package (or capability) names installed on every arch. */
  packages: string[];
  /** Extra names per arch (bootloaders differ). */
  archPackages?: Partial<Record<string, string[]>>;
}

// ------------------------------------------------------------------------------------------------
// dependency closure

export interface DepsolveCandidate {
  name: string;
  arch: string;
  nevra: string;
  requires: readonly string[];
  provides: readonly string[];
}

export type DepsolveResult<T> = { ok: true; installed: T[] } | { ok: false; errors: string[] };

/**
 * Closes `requested` over requires/provides in `pool`. A name matches an RPM of that name first,
 * then any RPM providing it (the alphabetically first, for determinism).
 */
export function depsolve<T extends DepsolveCandidate>(pool: readonly T[], requested: readonly string[]): DepsolveResult<T> {
  const byName = new Map<string, T>();
  const byProvide = new Map<string, T[]>();
  const sorted = [...pool].sort((a, b) => a.name.localeCompare(b.name) || (a.arch === "noarch" ? 1 : 0) - (b.arch === "noarch" ? 1 : 0));
  for (const rpm of sorted) {
    if (!byName.has(rpm.name)) byName.set(rpm.name, rpm);
    for (const cap of rpm.provides) {
      const list = byProvide.get(cap) ?? [];
      list.push(rpm);
      byProvide.set(cap, list);
    }
  }
  const errors: string[] = [];
  const installed = new Map<string, T>();
  // Like dnf, a capability an installed package already provides needs nothing more.
  const resolve = (cap: string): T | undefined => {
    const named = byName.get(cap);
    if (named) return named;
    const providers = byProvide.get(cap);
    return providers?.find((p) => installed.has(p.nevra)) ?? providers?.[0];
  };
  const queue: T[] = [];
  for (const name of requested) {
    const rpm = resolve(name);
    if (!rpm) errors.push(`Error: No package ${name} available`);
    else if (!installed.has(rpm.nevra)) {
      installed.set(rpm.nevra, rpm);
      queue.push(rpm);
    }
  }
  while (queue.length) {
    const rpm = queue.shift()!;
    for (const cap of rpm.requires) {
      const dep = resolve(cap);
      if (!dep) {
        errors.push(`Error: nothing provides ${cap} needed by ${rpm.nevra}`);
        continue;
      }
      if (!installed.has(dep.nevra)) {
        installed.set(dep.nevra, dep);
        queue.push(dep);
      }
    }
  }
  if (errors.length) return { ok: false, errors: [...new Set(errors)] };
  return { ok: true, installed: [...installed.values()].sort((a, b) => a.name.localeCompare(b.name) || a.arch.localeCompare(b.arch)) };
}

export function nevra(r: Pick<StoredRpm, "name" | "epoch" | "version" | "release" | "arch">): string {
  return `${r.name}-${r.epoch ? `${r.epoch}:` : ""}${r.version}-${r.release}.${r.arch}`;
}

// ------------------------------------------------------------------------------------------------
// image file contents

/** Size factor per format relative to the installed payload, scaled down 1024× to stay small. */
const FORMAT_FACTOR: Record<string, number> = {
  raw: 1.0,
  qcow2: 0.6,
  "raw-xz": 0.3,
  iso: 0.5,
  oci: 0.35,
  docker: 0.35,
  "liveimg-squashfs": 0.45,
  "vagrant-libvirt": 0.6,
  "vagrant-virtualbox": 0.6,
};

const FORMAT_EXTENSION: Record<string, string> = {
  raw: "raw",
  qcow2: "qcow2",
  "raw-xz": "raw.xz",
  iso: "iso",
  oci: "oci.tar.xz",
  docker: "tar.xz",
  "liveimg-squashfs": "liveimg.squashfs",
  "vagrant-libvirt": "vagrant-libvirt.box",
  "vagrant-virtualbox": "vagrant-virtualbox.box",
};

/** A header naming the components, padded so the size tracks the summed RPM sizes. */
export function imageBytes(meta: { name: string; version: string; release: string; arch: string; format: string }, components: readonly StoredRpm[]): Buffer {
  const lines = components.map((r) => `${nevra(r)} ${r.payloadhash}`);
  const header = Buffer.from(
    [
      "RELENGOTRON SANDBOX IMAGE v1",
      `name: ${meta.name}`,
      `version: ${meta.version}`,
      `release: ${meta.release}`,
      `arch: ${meta.arch}`,
      `format: ${meta.format}`,
      `components: ${components.length}`,
      ...lines,
      "",
    ].join("\n"),
  );
  const payload = components.reduce((sum, r) => sum + r.size, 0);
  const size = Math.max(header.length, Math.round((payload / 1024) * (FORMAT_FACTOR[meta.format] ?? 1)));
  const out = Buffer.alloc(size);
  header.copy(out);
  return out;
}

// ------------------------------------------------------------------------------------------------
// the runner

export interface ImageTaskRunnerOptions {
  state: KojiState;
  topDir: string;
  descriptions: readonly ImageDescription[];
  /** Time from task creation to completion; split between FREE→OPEN and the work itself. */
  durationMs: number;
  /** How long the children's work directories of an imported build stay; 0: removed at import. */
  workRetentionMs?: number;
  /** The volume image builds are stored on (a volume policy's answer); default DEFAULT. */
  imageVolume?: string;
  /** Called after each step, so a restarted hub sees the progress. */
  persist: () => void;
  log: (message: string) => void;
}

interface ImagePlan {
  kind: "image" | "kiwiBuild" | "livemedia";
  childMethod: string;
  name: string;
  version: string;
  release: string;
  arches: string[];
  opts: XmlRpcStruct;
  targetName: string;
  description: ImageDescription;
  /** desc_url / ksurl / inst_tree, passed on to children as Koji does. */
  source: string;
  ksfile?: string;
  descPath?: string;
}

const FAULT_FOR_CHILD: Record<string, string> = {
  createImage: "ApplianceError",
  createLiveMedia: "LiveMediaError",
  createKiwiImage: "GenericError",
};

export class ImageTaskRunner {
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly pruneTimers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly o: ImageTaskRunnerOptions) {}

  /** Picks up every unfinished image task, e.g. after loading persisted state. */
  resume(): void {
    for (const task of this.o.state.data.tasks) {
      if (task.parent !== null || !["image", "kiwiBuild", "livemedia"].includes(task.method)) continue;
      // A hub restarted within the retention: the work directories go now.
      if (task.state === TASK_STATES.CLOSED && task.build_id) this.pruneWorkDirs(task, 0);
      if (task.state === TASK_STATES.FREE) this.start(task);
      else if (task.state === TASK_STATES.OPEN) {
        for (const child of this.o.state.childrenOf(task.id)) {
          if (child.state === TASK_STATES.FREE) this.schedule(child.id, this.o.durationMs * 0.1, () => this.openChild(child));
          else if (child.state === TASK_STATES.OPEN) this.schedule(child.id, this.o.durationMs * 0.8, () => this.runChild(child));
        }
        this.schedule(task.id, 0, () => this.checkParent(task));
      }
    }
  }

  start(parent: StoredTask): void {
    this.schedule(parent.id, this.o.durationMs * 0.1, () => this.openParent(parent));
  }

  /** Drops the timers of tasks canceled through the API; their parents notice on next check. */
  canceled(ids: readonly number[]): void {
    for (const id of ids) {
      clearTimeout(this.timers.get(id));
      this.timers.delete(id);
      const task = this.o.state.getTask(id);
      if (task?.parent) {
        const parent = this.o.state.getTask(task.parent);
        if (parent) this.schedule(parent.id, 0, () => this.checkParent(parent));
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const t of this.pruneTimers) clearTimeout(t);
    this.pruneTimers.clear();
  }

  /**
   * Removes the work directories of an imported build's image tasks after `delayMs`. Koji's importImageInternal (kojihub.py) moves each image out of the task's
   * work directory (move_and_symlink) and that directory is temporary: once it is gone
   * listTaskOutput answers [] and downloadTaskOutput faults; the build's files stay under
   * packages/…/images, served at the topurl.
   */
  private pruneWorkDirs(parent: StoredTask, delayMs: number): void {
    const dirs = this.o.state
      .childrenOf(parent.id)
      .filter((c) => c.method !== "tagBuild")
      .map((c) => taskDir(this.o.topDir, c.id));
    const remove = () => {
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    };
    if (delayMs <= 0 || this.stopped) return remove();
    const timer = setTimeout(() => {
      this.pruneTimers.delete(timer);
      remove();
    }, delayMs);
    timer.unref?.();
    this.pruneTimers.add(timer);
  }

  private schedule(taskId: number, delayMs: number, step: () => void): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(taskId));
    const timer = setTimeout(() => {
      this.timers.delete(taskId);
      try {
        step();
      } catch (err) {
        // A bug here must not wedge the task forever: fail it with the reason.
        this.o.log(`sandbox koji: task ${taskId} step failed: ${(err as Error).stack ?? err}`);
        const task = this.o.state.getTask(taskId);
        if (task && (task.state === TASK_STATES.FREE || task.state === TASK_STATES.OPEN)) {
          this.o.state.setTaskState(task, TASK_STATES.FAILED, encodeFaultXml(new HubFault("GenericError", String((err as Error).message ?? err))));
          if (task.parent) this.checkParent(this.o.state.getTask(task.parent)!);
        }
      }
      this.o.persist();
    }, Math.max(0, delayMs));
    timer.unref?.();
    this.timers.set(taskId, timer);
  }

  // --- parent ----------------------------------------------------------------------------------

  private openParent(parent: StoredTask): void {
    const { state } = this.o;
    if (parent.state !== TASK_STATES.FREE) return;
    state.setTaskState(parent, TASK_STATES.OPEN);
    parent.waiting = true;
    parent.repo_event = state.lastEvent()!.id;
    let plan: ImagePlan;
    try {
      plan = this.plan(parent);
      if (!plan.opts.scratch) {
        const owner = state.findUser(parent.owner)!;
        const build = state.createBuild({
          name: plan.name,
          version: plan.version,
          release: plan.release,
          epoch: null,
          owner,
          state: BUILD_STATES.BUILDING,
          task_id: parent.id,
          source: plan.source,
          extra: { typeinfo: { image: {} } },
        });
        // kojihub.py initImageBuild: check_volume_policy (import_type "image") picks the volume.
        if (this.o.imageVolume && this.o.imageVolume !== "DEFAULT") build.volume = { id: 1, name: this.o.imageVolume };
        parent.build_id = build.id;
      }
    } catch (err) {
      this.failParent(parent, asFault(err));
      return;
    }
    const target = state.findTarget(plan.targetName)!;
    const targetInfo = targetRow(state, target);
    const buildTag = state.findTag(target.build_tag)!;
    const repoEvent = state.getEvent(parent.repo_event)!;
    // Koji hands children the repo they must use; the sandbox's "repo" is the event itself.
    const repoInfo = { id: parent.repo_event, create_event: parent.repo_event, create_ts: repoEvent.ts, state: 1, tag_id: buildTag.id, tag_name: buildTag.name };
    for (const arch of plan.arches) {
      const argsByKind: Record<ImagePlan["kind"], XmlRpcValue[]> = {
        image: [plan.name, plan.version, plan.release, arch, targetInfo, buildTag.id, repoInfo, plan.source.replace(/\$arch/g, arch), plan.opts],
        kiwiBuild: [plan.name, plan.version, plan.release, arch, targetInfo, buildTag.id, repoInfo, plan.source, plan.descPath!, plan.opts],
        livemedia: [plan.name, plan.version, plan.release, arch, targetInfo, buildTag.id, repoInfo, plan.ksfile!, plan.opts],
      };
      const child = state.createTask({
        method: plan.childMethod,
        parent: parent.id,
        label: arch,
        arch,
        owner: parent.owner,
        channel_id: CHANNELS.image!,
        priority: parent.priority,
        weight: 2.0,
        request: encodeMethodCall(plan.childMethod, argsByKind[plan.kind]),
      });
      this.schedule(child.id, this.o.durationMs * 0.1, () => this.openChild(child));
    }
  }

  /** What the parent task's handler works out before spawning children (kojid's handlers). */
  private plan(parent: StoredTask): ImagePlan {
    const { state } = this.o;
    const p = taskRequest(parent);
    const str = (v: XmlRpcValue | undefined) => (typeof v === "string" ? v : "");
    const opts: XmlRpcStruct = isStruct(p.at(-1)) ? { ...(p.at(-1) as XmlRpcStruct) } : {};
    let kind: ImagePlan["kind"];
    let targetName: string;
    let arches: string[];
    let description: ImageDescription;
    let name: string;
    let version: string;
    let source: string;
    let ksfile: string | undefined;
    let descPath: string | undefined;
    const asArches = (v: XmlRpcValue | undefined) => (Array.isArray(v) ? v.map(String) : String(v ?? "").split(/[\s,]+/).filter(Boolean));
    if (parent.method === "image") {
      kind = "image";
      [name, version, targetName, source] = [str(p[0]), str(p[1]), str(p[3]), str(p[4])];
      arches = asArches(p[2]);
      const ks = str(opts.kickstart);
      if (!ks) throw new HubFault("GenericError", "no kickstart given: opts['kickstart'] is required");
      description = this.findDescription("kickstart", ks, undefined, str(opts.ksurl));
    } else if (parent.method === "livemedia") {
      kind = "livemedia";
      [name, version, targetName, ksfile] = [str(p[0]), str(p[1]), str(p[3]), str(p[4])];
      arches = asArches(p[2]);
      source = str(opts.ksurl) || ksfile;
      description = this.findDescription("kickstart", ksfile, undefined, str(opts.ksurl));
    } else {
      kind = "kiwiBuild";
      [targetName, source, descPath] = [str(p[0]), str(p[2]), str(p[3])];
      arches = asArches(p[1]);
      description = this.findDescription("kiwi", descPath, str(opts.profile) || undefined, source);
      const profile = str(opts.profile) || description.profile;
      name = profile ? `${description.imageName}-${profile}` : description.imageName!;
      version = str(opts.version) || description.version!;
    }
    if (version.includes("-")) throw new HubFault("ApplianceError", "The Version may not have a hyphen");
    const target = state.findTarget(targetName);
    if (!target) throw new HubFault("GenericError", `No such build target: ${targetName}`);
    const buildTag = state.findTag(target.build_tag)!;
    const chain = [buildTag, ...state.fullInheritance(buildTag.id).map((l) => state.findTag(l.parent_id)!)];
    const tagArches = (chain.find((t) => t.arches)?.arches ?? "").split(/\s+/).filter(Boolean);
    if (tagArches.length === 0) throw new HubFault("BuildError", `No arches for tag ${buildTag.name} [${buildTag.id}]`);
    for (const arch of arches) if (!tagArches.includes(arch)) throw new HubFault("BuildError", `Invalid arch for build tag: ${arch}`);
    const release = str(opts.release);
    if (release.includes("-")) throw new HubFault("ApplianceError", "The Release may not have a hyphen");
    const childMethod = { image: "createImage", kiwiBuild: "createKiwiImage", livemedia: "createLiveMedia" }[kind];
    return {
      kind,
      childMethod,
      name,
      version,
      release: release || this.nextRelease(name, version),
      arches,
      opts,
      targetName,
      description,
      source,
      ksfile,
      descPath,
    };
  }

  private nextRelease(name: string, version: string): string {
    let max = 0;
    for (const b of this.o.state.data.builds) {
      if (this.o.state.packageName(b.pkg_id) !== name || b.version !== version) continue;
      const m = /^(\d+)/.exec(b.release);
      if (m) max = Math.max(max, Number(m[1]));
    }
    return String(max + 1);
  }

  private findDescription(kind: ImageDescription["kind"], file: string, profile: string | undefined, url: string): ImageDescription {
    const base = path.posix.basename(file);
    const matches = this.o.descriptions.filter((d) => d.kind === kind && path.posix.basename(d.path) === base);
    const found = kind === "kiwi" ? matches.find((d) => (profile ? d.profile === profile : !d.profile || matches.length === 1)) : matches[0];
    if (found) return found;
    const where = url ? ` in ${url}` : "";
    if (kind === "kiwi" && matches.length && profile) {
      throw new HubFault("GenericError", `Kiwi description ${file}${where} has no profile ${profile} (known: ${matches.map((d) => d.profile).join(", ")})`);
    }
    throw new HubFault("GenericError", `${kind === "kiwi" ? "Kiwi description" : "Kickstart file"} ${file} not found${where}`);
  }

  // --- children --------------------------------------------------------------------------------

  private openChild(child: StoredTask): void {
    if (child.state !== TASK_STATES.FREE) return;
    this.o.state.setTaskState(child, TASK_STATES.OPEN);
    this.schedule(child.id, this.o.durationMs * 0.8, () => this.runChild(child));
  }

  private runChild(child: StoredTask): void {
    const { state } = this.o;
    if (child.state !== TASK_STATES.OPEN) return;
    const parent = state.getTask(child.parent!)!;
    const p = taskRequest(child);
    const [name, version, release, arch] = p.slice(0, 4).map(String) as [string, string, string, string];
    const targetInfo = p[4] as XmlRpcStruct;
    const opts = (isStruct(p.at(-1)) ? p.at(-1) : {}) as XmlRpcStruct;
    const plan = this.plan(parent);
    const desc = plan.description;
    const dir = taskDir(this.o.topDir, child.id);
    fs.mkdirSync(dir, { recursive: true });
    const log: string[] = [];
    const logName = { createImage: `oz-${arch}.log`, createLiveMedia: "livemedia-out.log", createKiwiImage: `image-build.${arch}.log` }[child.method] ?? `${arch}.log`;
    const fail = (message: string) => {
      log.push(message);
      fs.writeFileSync(path.join(dir, logName), `${log.join("\n")}\n`);
      state.setTaskState(child, TASK_STATES.FAILED, encodeFault(FAULT_FOR_CHILD[child.method] ?? "GenericError", message));
      this.checkParent(parent);
    };

    const buildTag = state.findTag(Number(targetInfo.build_tag))!;
    const event = parent.repo_event!;
    log.push(`Resolving ${desc.path}${desc.profile ? ` (profile ${desc.profile})` : ""} for ${arch} from ${buildTag.name} at event ${event}`);
    const pool: (StoredRpm & DepsolveCandidate)[] = [];
    for (const { build } of state.taggedBuilds(buildTag.id, { event, inherit: true, latest: true })) {
      for (const r of state.rpmsOf(build.id)) if (r.arch === arch || r.arch === "noarch") pool.push({ ...r, nevra: nevra(r) });
    }
    const requested = [...desc.packages, ...(desc.archPackages?.[arch] ?? [])];
    const solved = depsolve(pool, requested);
    if (!solved.ok) return fail(solved.errors.join("\n"));
    const components = solved.installed;
    for (const r of components) log.push(`Installing: ${r.nevra}`);

    const formats = this.formats(child.method, desc, opts);
    const unsupported = formats.find((f) => !FORMAT_EXTENSION[f]);
    if (unsupported) return fail(`Error: unsupported image format ${unsupported}`);
    const files: string[] = [];
    if (child.method === "createImage") {
      const ks = path.posix.basename(String(opts.kickstart));
      fs.writeFileSync(path.join(dir, ks), kickstartText(desc, arch));
      files.push(ks);
    }
    for (const format of formats) {
      const file = `${name}-${version}-${release}.${arch}.${FORMAT_EXTENSION[format]}`;
      const bytes = imageBytes({ name, version, release, arch, format }, components);
      fs.writeFileSync(path.join(dir, file), bytes);
      files.push(file);
      log.push(`Image written: ${file} (${bytes.length} bytes)`);
    }
    if (child.method === "createKiwiImage") {
      const list = `${name}-${version}-${release}.${arch}.packages`;
      fs.writeFileSync(path.join(dir, list), components.map((r) => `${r.name}|${r.epoch ?? ""}|${r.version}|${r.release}|${r.arch}|(none)|`).join("\n") + "\n");
      files.push(list);
    }
    log.push("Done.");
    fs.writeFileSync(path.join(dir, logName), `${log.join("\n")}\n`);
    const imgdata: XmlRpcStruct = {
      arch,
      task_id: child.id,
      logs: [logName],
      name,
      version,
      release,
      rpmlist: opts.scratch
        ? []
        : components.map((r) => ({ name: r.name, version: r.version, release: r.release, arch: r.arch, epoch: r.epoch, size: r.size, payloadhash: r.payloadhash, buildtime: r.buildtime })),
      files,
    };
    state.setTaskState(child, TASK_STATES.CLOSED, encodeResultXml(imgdata));
    this.checkParent(parent);
  }

  private formats(method: string, desc: ImageDescription, opts: XmlRpcStruct): string[] {
    if (method === "createLiveMedia") return ["iso"];
    if (method === "createKiwiImage") return desc.outputs?.length ? desc.outputs : ["qcow2"];
    const f = opts.format;
    return Array.isArray(f) && f.length ? f.map(String) : typeof f === "string" ? [f] : ["raw"];
  }

  // --- completion ------------------------------------------------------------------------------

  private checkParent(parent: StoredTask): void {
    const { state } = this.o;
    if (parent.state !== TASK_STATES.OPEN) return;
    const children = state.childrenOf(parent.id).filter((c) => c.method !== "tagBuild");
    const opts = isStruct(taskRequest(parent).at(-1)) ? (taskRequest(parent).at(-1) as XmlRpcStruct) : {};
    const optional = new Set(Array.isArray(opts.optional_arches) ? opts.optional_arches.map(String) : []);
    const bad = children.filter((c) => c.state === TASK_STATES.FAILED || c.state === TASK_STATES.CANCELED);
    const blocking = bad.filter((c) => !optional.has(c.arch));
    if (blocking.length || (bad.length && bad.length === children.length)) {
      const first = blocking[0] ?? bad[0]!;
      const f =
        bad.length === children.length && !blocking.length
          ? new HubFault("GenericError", "all subtasks failed")
          : first.state === TASK_STATES.CANCELED
            ? new HubFault("GenericError", `Task ${first.id} is canceled`)
            : storedFault(first);
      for (const c of children) {
        if (c.state === TASK_STATES.FREE || c.state === TASK_STATES.OPEN) {
          state.setTaskState(c, TASK_STATES.CANCELED);
          clearTimeout(this.timers.get(c.id));
          this.timers.delete(c.id);
        }
      }
      this.failParent(parent, f);
      return;
    }
    if (children.some((c) => c.state !== TASK_STATES.CLOSED && !(optional.has(c.arch) && c.state === TASK_STATES.FAILED))) return;
    this.finish(parent, children.filter((c) => c.state === TASK_STATES.CLOSED), opts);
  }

  private failParent(parent: StoredTask, f: HubFault | XmlRpcFault): void {
    const { state } = this.o;
    const build = parent.build_id ? state.getBuild(parent.build_id) : undefined;
    if (build && build.state === BUILD_STATES.BUILDING) state.setBuildState(build, BUILD_STATES.FAILED);
    parent.waiting = false;
    state.setTaskState(parent, TASK_STATES.FAILED, encodeFaultXml(f));
  }

  private finish(parent: StoredTask, children: StoredTask[], opts: XmlRpcStruct): void {
    const { state } = this.o;
    parent.waiting = false;
    if (opts.scratch || !parent.build_id) {
      const dirs = children.map((c) => taskDir(this.o.topDir, c.id)).join(", ");
      state.setTaskState(parent, TASK_STATES.CLOSED, encodeResultXml(`Scratch image build results in: ${dirs}`));
      return;
    }
    const build = state.getBuild(parent.build_id)!;
    try {
      this.importImages(build, children);
    } catch (err) {
      this.failParent(parent, asFault(err));
      return;
    }
    state.setBuildState(build, BUILD_STATES.COMPLETE);
    if (!opts.skip_tag) {
      const plan = this.plan(parent);
      const target = state.findTarget(plan.targetName)!;
      const dest = state.findTag(target.dest_tag)!;
      const owner = state.findUser(parent.owner)!;
      const tagTask = state.createTask({
        method: "tagBuild",
        parent: parent.id,
        label: "tag",
        arch: "noarch",
        owner: parent.owner,
        channel_id: CHANNELS.default!,
        priority: parent.priority,
        weight: 0.2,
        request: encodeMethodCall("tagBuild", [dest.id, build.id, false, null, true]),
      });
      state.setTaskState(tagTask, TASK_STATES.OPEN);
      try {
        state.tagBuild(dest, build, owner);
        state.setTaskState(tagTask, TASK_STATES.CLOSED, encodeResultXml(null));
      } catch (err) {
        const f = asFault(err);
        state.setTaskState(tagTask, TASK_STATES.FAILED, encodeFaultXml(f));
        this.failParent(parent, f);
        return;
      }
    }
    state.setTaskState(parent, TASK_STATES.CLOSED, encodeResultXml(`image build results in: ${imagesDir(this.o.topDir, state, build)}`));
    this.pruneWorkDirs(parent, this.o.workRetentionMs ?? 0);
  }

  /** importImageInternal: archives per output file, RPM components on every non-XML archive. */
  private importImages(build: StoredBuild, children: StoredTask[]): void {
    const { state } = this.o;
    const dest = imagesDir(this.o.topDir, state, build);
    fs.mkdirSync(dest, { recursive: true });
    const byNvra = new Map(state.data.rpms.map((r) => [`${r.name}-${r.version}-${r.release}.${r.arch}`, r.id]));
    for (const child of children) {
      const decoded = decodeXmlRpc(child.result ?? "");
      if (decoded.kind !== "response" || !isStruct(decoded.value)) continue;
      const imgdata = decoded.value;
      const arch = String(imgdata.arch);
      const rpmIds = (Array.isArray(imgdata.rpmlist) ? imgdata.rpmlist : []).map((r) => {
        const x = r as XmlRpcStruct;
        const key = `${x.name}-${x.version}-${x.release}.${x.arch}`;
        const idv = byNvra.get(key);
        if (idv === undefined) throw new HubFault("GenericError", `No such rpm: ${key}`);
        return idv;
      });
      rpmIds.sort((a, b) => a - b);
      const src = taskDir(this.o.topDir, child.id);
      for (const file of (Array.isArray(imgdata.files) ? imgdata.files : []).map(String)) {
        const type = archiveTypeFor(file);
        if (!type) throw new HubFault("BuildError", `Unsupported file type: ${file}`);
        const from = path.join(src, file);
        const to = path.join(dest, file);
        // Two arches may upload the same kickstart; Koji keeps one copy in the build.
        if (fs.existsSync(to)) continue;
        moveAndSymlink(from, to);
        const bytes = fs.readFileSync(to);
        state.addArchive({
          build_id: build.id,
          type_id: type.id,
          btype_id: BTYPE_IMAGE,
          filename: file,
          size: bytes.length,
          checksum: createHash("sha256").update(bytes).digest("hex"),
          checksum_type: 2,
          arch,
          components: file.endsWith("xml") ? [] : rpmIds,
        });
      }
      const logDir = path.join(buildDir(this.o.topDir, state, build), "data", "logs", "image", arch);
      fs.mkdirSync(logDir, { recursive: true });
      for (const logFile of (Array.isArray(imgdata.logs) ? imgdata.logs : []).map(String)) {
        if (fs.existsSync(path.join(src, logFile))) moveAndSymlink(path.join(src, logFile), path.join(logDir, logFile));
      }
    }
  }
}

export function taskDir(topDir: string, taskId: number): string {
  return path.join(topDir, "work", "tasks", String(taskId % 10000), String(taskId));
}

/** koji.PathInfo.build: under vol/<name> for a build on another volume than DEFAULT. */
export function buildDir(topDir: string, state: KojiState, build: StoredBuild): string {
  const volumeDir = build.volume && build.volume.name !== "DEFAULT" ? path.join(topDir, "vol", build.volume.name) : topDir;
  return path.join(volumeDir, "packages", state.packageName(build.pkg_id), build.version, build.release);
}

export function imagesDir(topDir: string, state: KojiState, build: StoredBuild): string {
  return path.join(buildDir(topDir, state, build), "images");
}

/** kojihub.py move_and_symlink: the file moves to its final place, a symlink stays behind. */
function moveAndSymlink(from: string, to: string): void {
  fs.renameSync(from, to);
  fs.symlinkSync(path.relative(path.dirname(from), to), from);
}

function kickstartText(desc: ImageDescription, arch: string): string {
  const pkgs = [...desc.packages, ...(desc.archPackages?.[arch] ?? [])];
  return [`# ${desc.title ?? desc.path} (relengotron sandbox kickstart)`, "lang en_US.UTF-8", "keyboard us", "timezone UTC", "", "%packages", ...pkgs, "%end", ""].join("\n");
}

function isStruct(v: XmlRpcValue | undefined): v is XmlRpcStruct {
  return v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array);
}

function encodeFault(name: string, message: string): string {
  return encodeFaultXml(new XmlRpcFault(faultCodeOf(name), message));
}

function storedFault(task: StoredTask): XmlRpcFault {
  const decoded = decodeXmlRpc(task.result ?? "");
  return decoded.kind === "fault" ? decoded.fault : new XmlRpcFault(1000, `Task ${task.id} failed`);
}

function asFault(err: unknown): HubFault | XmlRpcFault {
  if (err instanceof HubFault || err instanceof XmlRpcFault) return err;
  return new HubFault("GenericError", err instanceof Error ? err.message : String(err));
}
