// The shapes Koji's hub returns (column lists of kojihub.py queries) for sandbox state, and how
// task requests/results are stored (XML-RPC documents, as Koji keeps them).
import { KOJI_FAULT_CODES, TASK_STATE_NAMES } from "../clients/koji.js";
import { decodeXmlRpc, encodeFault, encodeResponse, XmlRpcDouble, XmlRpcFault, type XmlRpcStruct, type XmlRpcValue } from "../clients/xmlrpc-codec.js";
import { fault } from "./koji-python.js";
import {
  BTYPE_NAMES,
  HubFault,
  type KojiState,
  type StoredArchive,
  type StoredBuild,
  type StoredRpm,
  type StoredTag,
  type StoredTagListing,
  type StoredTarget,
  type StoredTask,
} from "./koji-state.js";

/** datetime.isoformat(' ') of a UTC timestamp, as kojixmlrpc's Marshaller sends datetimes. */
export function kojiTime(ts: number | null): string | null {
  if (ts === null) return null;
  const micros = Math.round(ts * 1e6);
  const d = new Date(Math.floor(micros / 1000));
  const base = d.toISOString().slice(0, 19).replace("T", " ");
  const frac = micros % 1_000_000;
  return `${base}${frac ? `.${String(frac).padStart(6, "0")}` : ""}+00:00`;
}

function double(ts: number | null): XmlRpcValue {
  return ts === null ? null : new XmlRpcDouble(ts);
}

export function tagRow(tag: StoredTag, event: number | null): XmlRpcStruct {
  const row: XmlRpcStruct = {
    id: tag.id,
    name: tag.name,
    perm_id: tag.perm ? 1 : null,
    perm: tag.perm,
    arches: tag.arches,
    locked: tag.locked,
    maven_support: false,
    maven_include_all: false,
    extra: tag.extra as XmlRpcStruct,
  };
  if (event !== null) row.query_event = event;
  return row;
}

export function targetRow(state: KojiState, t: StoredTarget): XmlRpcStruct {
  return {
    id: t.id,
    name: t.name,
    build_tag: t.build_tag,
    build_tag_name: state.findTag(t.build_tag)!.name,
    dest_tag: t.dest_tag,
    dest_tag_name: state.findTag(t.dest_tag)!.name,
  };
}

export function buildRow(state: KojiState, b: StoredBuild): XmlRpcStruct {
  const name = state.packageName(b.pkg_id);
  const event = state.getEvent(b.create_event)!;
  return {
    id: b.id,
    version: b.version,
    release: b.release,
    build_id: b.id,
    epoch: b.epoch,
    draft: false,
    state: b.state,
    completion_time: kojiTime(b.completion_ts),
    promotion_time: null,
    start_time: kojiTime(b.start_ts),
    task_id: b.task_id,
    creation_event_id: b.create_event,
    creation_time: kojiTime(event.ts),
    package_id: b.pkg_id,
    package_name: name,
    name,
    volume_id: b.volume?.id ?? 0,
    volume_name: b.volume?.name ?? "DEFAULT",
    nvr: `${name}-${b.version}-${b.release}`,
    creation_ts: double(event.ts),
    start_ts: double(b.start_ts),
    completion_ts: double(b.completion_ts),
    promotion_ts: null,
    owner_id: b.owner_id,
    owner_name: state.userName(b.owner_id),
    promoter_id: null,
    promoter_name: null,
    cg_id: null,
    source: b.source,
    extra: b.extra as XmlRpcStruct | null,
    cg_name: null,
  };
}

/**
 * list_builds row (kojihub.py listBuilds): the build's id only as `build_id` — no `id`, no
 * `cg_id`/`cg_name` — unlike get_build's map. Clients that read `id` fail on real Koji.
 */
export function listBuildRow(state: KojiState, b: StoredBuild): XmlRpcStruct {
  const { id: _id, cg_id: _cg, cg_name: _cgName, ...row } = buildRow(state, b);
  return row;
}

export function taggedRow(state: KojiState, listing: StoredTagListing, b: StoredBuild, tag: StoredTag, extra: boolean): XmlRpcStruct {
  const name = state.packageName(b.pkg_id);
  const row: XmlRpcStruct = {
    tag_id: tag.id,
    tag_name: tag.name,
    id: b.id,
    build_id: b.id,
    version: b.version,
    release: b.release,
    epoch: b.epoch,
    state: b.state,
    completion_time: kojiTime(b.completion_ts),
    promotion_time: null,
    start_time: kojiTime(b.start_ts),
    task_id: b.task_id,
    draft: false,
    owner_id: b.owner_id,
    owner_name: state.userName(b.owner_id),
    promoter_id: null,
    promoter_name: null,
    creation_event_id: b.create_event,
    creation_time: kojiTime(state.getEvent(b.create_event)!.ts),
    volume_id: b.volume?.id ?? 0,
    volume_name: b.volume?.name ?? "DEFAULT",
    package_id: b.pkg_id,
    package_name: name,
    name,
    nvr: `${name}-${b.version}-${b.release}`,
    create_event: listing.create_event,
  };
  if (extra) row.extra = b.extra as XmlRpcStruct | null;
  return row;
}

/** readTaggedRPMS row: no nvr, no external repo columns. */
export function taggedRpmRow(r: StoredRpm): XmlRpcStruct {
  return {
    name: r.name,
    version: r.version,
    release: r.release,
    arch: r.arch,
    id: r.id,
    epoch: r.epoch,
    draft: false,
    payloadhash: r.payloadhash,
    size: r.size,
    buildtime: r.buildtime,
    buildroot_id: null,
    build_id: r.build_id,
    metadata_only: false,
    extra: null,
  };
}

/** get_rpm row. */
export function rpmRow(r: StoredRpm): XmlRpcStruct {
  return {
    id: r.id,
    build_id: r.build_id,
    buildroot_id: null,
    name: r.name,
    version: r.version,
    release: r.release,
    epoch: r.epoch,
    arch: r.arch,
    draft: false,
    external_repo_id: 0,
    external_repo_name: "INTERNAL",
    payloadhash: r.payloadhash,
    size: r.size,
    buildtime: r.buildtime,
    metadata_only: false,
    extra: null,
  };
}

/** list_rpms row: get_rpm's plus a synthesized nvr. */
export function listRpmRow(r: StoredRpm): XmlRpcStruct {
  const { id, name, version, release } = r;
  return { ...rpmRow(r), id, name, version, release, nvr: `${name}-${version}-${release}` };
}

export const ARCHIVE_TYPES: { id: number; name: string; description: string; extensions: string }[] = [
  { id: 4, name: "tar", description: "Tar file", extensions: "tar tar.gz tar.bz2 tar.xz tgz" },
  { id: 5, name: "xml", description: "XML file", extensions: "xml" },
  { id: 18, name: "iso", description: "CD/DVD Image", extensions: "iso" },
  { id: 19, name: "raw", description: "Raw disk image", extensions: "raw" },
  { id: 21, name: "qcow2", description: "QCOW2 image", extensions: "qcow2" },
  { id: 24, name: "ks", description: "Kickstart", extensions: "ks" },
  { id: 40, name: "txt", description: "Text file", extensions: "txt" },
  { id: 44, name: "box", description: "Vagrant Box Image", extensions: "box" },
  { id: 45, name: "raw-xz", description: "xz compressed raw disk image", extensions: "raw.xz" },
  { id: 46, name: "json", description: "JSON data", extensions: "json" },
  { id: 55, name: "liveimg-squashfs", description: "liveimg compatible squashfs image", extensions: "liveimg.squashfs" },
  { id: 68, name: "checksum", description: "Checksum file", extensions: "sha256" },
  { id: 70, name: "packages", description: "Kiwi packages listing", extensions: "packages" },
];

/** get_archive_type: the longest matching extension wins. */
export function archiveTypeFor(filename: string): (typeof ARCHIVE_TYPES)[number] | undefined {
  let best: (typeof ARCHIVE_TYPES)[number] | undefined;
  let bestLen = 0;
  for (const t of ARCHIVE_TYPES) {
    for (const ext of t.extensions.split(" ")) {
      if (filename.endsWith(`.${ext}`) && ext.length > bestLen) {
        best = t;
        bestLen = ext.length;
      }
    }
  }
  return best;
}

export function archiveRow(a: StoredArchive, withImage: boolean): XmlRpcStruct {
  const type = ARCHIVE_TYPES.find((t) => t.id === a.type_id)!;
  const row: XmlRpcStruct = {
    id: a.id,
    type_id: a.type_id,
    btype_id: a.btype_id,
    btype: BTYPE_NAMES[a.btype_id] ?? null,
    build_id: a.build_id,
    buildroot_id: null,
    filename: a.filename,
    size: a.size,
    checksum: a.checksum,
    checksum_type: a.checksum_type,
    metadata_only: false,
    extra: null,
    type_name: type.name,
    type_description: type.description,
    type_extensions: type.extensions,
    compression_type: null,
  };
  if (withImage) row.arch = a.arch;
  return row;
}

export function taskRow(t: StoredTask, request: boolean): XmlRpcStruct {
  const row: XmlRpcStruct = {
    id: t.id,
    state: t.state,
    create_time: kojiTime(t.create_ts),
    create_ts: double(t.create_ts),
    start_time: kojiTime(t.start_ts),
    start_ts: double(t.start_ts),
    completion_time: kojiTime(t.completion_ts),
    completion_ts: double(t.completion_ts),
    channel_id: t.channel_id,
    host_id: t.host_id,
    parent: t.parent,
    label: t.label,
    waiting: t.waiting,
    awaited: t.awaited,
    owner: t.owner,
    method: t.method,
    arch: t.arch,
    priority: t.priority,
    weight: new XmlRpcDouble(t.weight),
  };
  if (request) row.request = taskRequest(t);
  return row;
}

export function taskRequest(t: StoredTask): XmlRpcValue[] {
  const decoded = decodeXmlRpc(t.request);
  return decoded.kind === "call" ? decoded.params : [];
}

/** Task.getResult: a stored fault is raised, unless the caller asked for it as a dict. */
export function taskResult(t: StoredTask, raiseFault: boolean): XmlRpcValue {
  const name = TASK_STATE_NAMES[t.state];
  if (name === "CANCELED") throw fault("GenericError", `Task ${t.id} is canceled`);
  if (name !== "CLOSED" && name !== "FAILED") throw fault("GenericError", `Task ${t.id} is not finished`);
  const decoded = decodeXmlRpc(t.result ?? "");
  if (decoded.kind === "fault") {
    if (raiseFault) throw decoded.fault;
    return { faultCode: decoded.fault.faultCode, faultString: decoded.fault.faultString };
  }
  return decoded.kind === "response" ? decoded.value : null;
}

export function encodeResultXml(value: XmlRpcValue): string {
  return encodeResponse(value);
}

export function encodeFaultXml(err: HubFault | XmlRpcFault): string {
  return err instanceof XmlRpcFault ? encodeFault(err.faultCode, err.faultString) : encodeFault(faultCodeOf(err.faultName), err.message);
}

export function faultCodeOf(name: string): number {
  return (KOJI_FAULT_CODES as Record<string, number>)[name] ?? 1;
}

