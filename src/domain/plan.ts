// Which artifacts to rebuild and why. An artifact's input fingerprint hashes the current NEVRA of
// every package it contained when last built, its config sources, its build options and its tool
// versions; an unchanged fingerprint means the last build can be reused as is. Every artifact of
// the release is planned, whatever started the pipeline: a compose is always whole.
import type { ArtifactDefinition, ConfigSource } from "./artifact-definitions.js";
import { parseNevra } from "./nevra.js";
import { canonicalJson, sha256Hex } from "./sha256.js";

/** The last successful build of an artifact, as composedb remembers it. */
export interface LastBuild {
  pipelineId: string;
  composeId: string;
  fingerprint: string;
  /** NEVRAs Koji recorded as the image's content */
  components: string[];
  config: ConfigSource[];
  tools: Record<string, string>;
  buildOptions: unknown;
}

/** The tag content at the snapshot event: binary package "name.arch" -> NEVRA of its latest build. */
export type TagRpmIndex = ReadonlyMap<string, string>;

export type PlanReason =
  | { kind: "first-build"; message: string }
  | { kind: "components-unknown"; message: string }
  | { kind: "requested"; message: string }
  | { kind: "package-changed"; package: string; from: string; to: string; message: string }
  | { kind: "package-removed"; package: string; from: string; message: string }
  | { kind: "config-changed"; path: string; from: string | null; to: string | null; message: string }
  | { kind: "tools-changed"; tool: string; from: string | null; to: string | null; message: string }
  | { kind: "build-options-changed"; message: string }
  | { kind: "unchanged"; message: string }
  | { kind: "not-a-candidate"; message: string };

export interface PlanEntry {
  artifact: string;
  action: "rebuild" | "reuse";
  /** fingerprint of the inputs as far as they are known now; null before a first build */
  fingerprint: string | null;
  reasons: PlanReason[];
  /** the build reused, for "reuse" entries */
  reuse?: { pipelineId: string; composeId: string };
}

export interface PlanInput {
  definitions: ArtifactDefinition[];
  tagRpms: TagRpmIndex;
  lastBuilds: ReadonlyMap<string, LastBuild>;
  /** artifacts to rebuild whatever their fingerprint says */
  force?: ReadonlySet<string>;
  /**
   * the artifacts this pipeline may rebuild (a trigger's affected ones); undefined: all. The others
   * are still planned — a compose covers every artifact of the release — and reuse their last build.
   */
  candidates?: ReadonlySet<string>;
}

/** "name.arch" of a NEVRA such as `bash-0:5.2.37-1.fc46.x86_64`. */
export function rpmKey(nevra: string): string {
  const { name, arch } = parseNevra(nevra);
  return `${name}.${arch}`;
}

export function fingerprintOf(input: {
  components: readonly string[];
  config: readonly ConfigSource[];
  tools: Record<string, string>;
  buildOptions: unknown;
}): string {
  return sha256Hex(
    canonicalJson({
      v: 1,
      components: [...input.components].sort(),
      config: [...input.config].map((c) => `${c.kind}:${c.repo}#${c.ref}:${c.path}`).sort(),
      tools: input.tools,
      build: input.buildOptions,
    }),
  );
}

export function planArtifacts(input: PlanInput): PlanEntry[] {
  return input.definitions.map((def) => {
    const entry = planOne(def, input);
    const last = input.lastBuilds.get(def.name);
    if (entry.action === "reuse" || !last || !input.candidates || input.candidates.has(def.name) || input.force?.has(def.name)) return entry;
    // Inputs changed, but no change this pipeline was started for: the next pipeline that is
    // (or the nightly) rebuilds it. Until then its last build stays in the compose.
    return {
      artifact: def.name,
      action: "reuse",
      fingerprint: last.fingerprint,
      reasons: [
        { kind: "not-a-candidate", message: `not among this pipeline's candidates: its last build (${last.composeId}) is reused` },
        ...entry.reasons,
      ],
      reuse: { pipelineId: last.pipelineId, composeId: last.composeId },
    };
  });
}

function planOne(def: ArtifactDefinition, input: PlanInput): PlanEntry {
  const last = input.lastBuilds.get(def.name);
  if (!last) {
    return { artifact: def.name, action: "rebuild", fingerprint: null, reasons: [{ kind: "first-build", message: "no successful build yet" }] };
  }
  if (last.components.length === 0) {
    return {
      artifact: def.name,
      action: "rebuild",
      fingerprint: null,
      reasons: [{ kind: "components-unknown", message: `Koji recorded no components for the last build (${last.composeId})` }],
    };
  }

  const reasons: PlanReason[] = [];
  const current = last.components.map((nevra) => {
    const key = rpmKey(nevra);
    const now = input.tagRpms.get(key);
    if (now === undefined) {
      reasons.push({ kind: "package-removed", package: key, from: nevra, message: `${key} is no longer in the tag (was ${nevra})` });
      return `${key}:absent`;
    }
    if (now !== nevra) reasons.push({ kind: "package-changed", package: key, from: nevra, to: now, message: `${nevra} -> ${now}` });
    return now;
  });
  reasons.push(...configReasons(last.config, def.config), ...toolReasons(last.tools, def.tools));
  if (canonicalJson(last.buildOptions) !== canonicalJson(def.build)) {
    reasons.push({ kind: "build-options-changed", message: "build options differ from the last build" });
  }
  const fingerprint = fingerprintOf({ components: current, config: def.config, tools: def.tools, buildOptions: def.build });
  if (input.force?.has(def.name)) reasons.unshift({ kind: "requested", message: "rebuild requested" });

  // The fingerprint decides; reasons explain. They agree unless the fingerprint scheme changed.
  if (fingerprint === last.fingerprint && !input.force?.has(def.name)) {
    return {
      artifact: def.name,
      action: "reuse",
      fingerprint,
      reasons: [{ kind: "unchanged", message: `inputs unchanged since ${last.composeId}` }],
      reuse: { pipelineId: last.pipelineId, composeId: last.composeId },
    };
  }
  if (reasons.length === 0) reasons.push({ kind: "build-options-changed", message: "fingerprint scheme changed since the last build" });
  return { artifact: def.name, action: "rebuild", fingerprint, reasons };
}

function configReasons(before: readonly ConfigSource[], after: readonly ConfigSource[]): PlanReason[] {
  const key = (c: ConfigSource) => `${c.kind}:${c.repo}:${c.path}`;
  const old = new Map(before.map((c) => [key(c), c.ref]));
  const now = new Map(after.map((c) => [key(c), c.ref]));
  const reasons: PlanReason[] = [];
  for (const k of new Set([...old.keys(), ...now.keys()])) {
    const from = old.get(k) ?? null;
    const to = now.get(k) ?? null;
    if (from !== to) reasons.push({ kind: "config-changed", path: k, from, to, message: `${k}: ${from ?? "(none)"} -> ${to ?? "(none)"}` });
  }
  return reasons;
}

function toolReasons(before: Record<string, string>, after: Record<string, string>): PlanReason[] {
  const reasons: PlanReason[] = [];
  for (const tool of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const from = before[tool] ?? null;
    const to = after[tool] ?? null;
    if (from !== to) reasons.push({ kind: "tools-changed", tool, from, to, message: `${tool}: ${from ?? "(none)"} -> ${to ?? "(none)"}` });
  }
  return reasons;
}

export function formatPlan(plan: readonly PlanEntry[]): string {
  const lines: string[] = [];
  const rebuild = plan.filter((p) => p.action === "rebuild").length;
  lines.push(`${plan.length} artifacts: ${rebuild} to rebuild, ${plan.length - rebuild} to reuse`);
  for (const entry of plan) {
    lines.push(`${entry.action === "rebuild" ? "REBUILD" : "reuse  "} ${entry.artifact}`);
    for (const reason of entry.reasons) lines.push(`          ${reason.message}`);
  }
  return lines.join("\n");
}
