// Rings (Fedora.NEXT): component groups of a release's source packages, as PDC had them — a group
// has a type, and rings are the type `ring`, ordered (0 is the core). A package is in at most one
// ring; packages no ring names fall in the release's default ring. Every build inherits its source
// package's ring, every artifact the strictest (lowest order) ring of the packages it contains.
// Pure: the YAML text in, definitions, diffs and answers out.
import { isNode, LineCounter, parseDocument } from "yaml";
import { z } from "zod";

export const RING_GROUP_TYPE = "ring";

export interface Ring {
  name: string;
  order: number;
  description: string | null;
  /** source package names, sorted */
  packages: string[];
}

export interface RingsDefinition {
  release: string;
  /** the ring of packages no ring names */
  defaultRing: string;
  /** by order */
  rings: Ring[];
}

export class RingsDefinitionError extends Error {
  override name = "RingsDefinitionError";
}

const packageName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "expected a source package name");
const ringsFileSchema = z.strictObject({
  release: z.string().min(1),
  /** the ring packages fall in when no ring names them */
  default: z.string().min(1),
  rings: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "expected a ring name such as ring-0"),
        order: z.number().int().min(0),
        description: z.string().optional(),
        packages: z.array(packageName).default([]),
      }),
    )
    .min(1, "expected at least one ring"),
});

/**
 * `config/rings/<release>.yaml`. Errors name the file and line: YAML errors, schema errors, an
 * unknown release, a package named twice (in two rings, or twice in one), a ring name or order
 * used twice, a default that is no ring.
 */
export function parseRingsFile(file: string, text: string, knownReleases: readonly string[]): RingsDefinition {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new RingsDefinitionError(`${file}:${lines.linePos(e.pos[0]).line}: invalid YAML: ${e.message.split("\n")[0]}`);
  }
  const lineOf = (path: (string | number)[]): number => {
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    return 1;
  };
  const parsed = ringsFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new RingsDefinitionError(parsed.error.issues.map((i) => `${file}:${lineOf(i.path as (string | number)[])}: ${i.path.join(".") || "(document)"}: ${i.message}`).join("\n"));
  }
  const data = parsed.data;
  const problems: string[] = [];
  if (!knownReleases.includes(data.release)) {
    problems.push(`${file}:${lineOf(["release"])}: release: unknown release ${data.release} (defined: ${knownReleases.join(", ") || "none"})`);
  }
  const seenName = new Map<string, number>();
  const seenOrder = new Map<number, string>();
  const seenPackage = new Map<string, { ring: string; line: number }>();
  data.rings.forEach((ring, i) => {
    const line = lineOf(["rings", i, "name"]);
    if (seenName.has(ring.name)) problems.push(`${file}:${line}: rings.${i}.name: ring ${ring.name} is defined twice (first at line ${seenName.get(ring.name)})`);
    seenName.set(ring.name, line);
    if (seenOrder.has(ring.order)) problems.push(`${file}:${lineOf(["rings", i, "order"])}: rings.${i}.order: order ${ring.order} is already ring ${seenOrder.get(ring.order)}'s`);
    seenOrder.set(ring.order, ring.name);
    ring.packages.forEach((pkg, j) => {
      const at = lineOf(["rings", i, "packages", j]);
      const first = seenPackage.get(pkg);
      if (first) {
        problems.push(
          first.ring === ring.name
            ? `${file}:${at}: rings.${i}.packages.${j}: package ${pkg} is listed twice in ${ring.name} (first at line ${first.line})`
            : `${file}:${at}: rings.${i}.packages.${j}: package ${pkg} is in two rings: ${first.ring} (line ${first.line}) and ${ring.name}`,
        );
      } else seenPackage.set(pkg, { ring: ring.name, line: at });
    });
  });
  if (!seenName.has(data.default)) problems.push(`${file}:${lineOf(["default"])}: default: no ring is named ${data.default}`);
  if (problems.length) throw new RingsDefinitionError(problems.join("\n"));
  return {
    release: data.release,
    defaultRing: data.default,
    rings: data.rings
      .map((r) => ({ name: r.name, order: r.order, description: r.description ?? null, packages: [...new Set(r.packages)].sort() }))
      .sort((a, b) => a.order - b.order),
  };
}

// ---- what a load changes ----

export type RingChange =
  | { action: "group-added"; group: string; detail: { order: number; description: string | null; default: boolean } }
  | { action: "group-removed"; group: string; detail: Record<string, never> }
  | { action: "group-changed"; group: string; detail: Record<string, [unknown, unknown]> }
  | { action: "package-added"; group: string; package: string }
  | { action: "package-removed"; group: string; package: string }
  | { action: "package-moved"; group: string; package: string; fromGroup: string };

/** The changes that take `current` (null: nothing loaded yet) to `next`, in a stable order. */
export function diffRings(current: RingsDefinition | null, next: RingsDefinition): RingChange[] {
  const changes: RingChange[] = [];
  const before = new Map((current?.rings ?? []).map((r) => [r.name, r]));
  const after = new Map(next.rings.map((r) => [r.name, r]));
  for (const ring of next.rings) {
    const old = before.get(ring.name);
    const isDefault = next.defaultRing === ring.name;
    if (!old) {
      changes.push({ action: "group-added", group: ring.name, detail: { order: ring.order, description: ring.description, default: isDefault } });
      continue;
    }
    const detail: Record<string, [unknown, unknown]> = {};
    if (old.order !== ring.order) detail.order = [old.order, ring.order];
    if (old.description !== ring.description) detail.description = [old.description, ring.description];
    const wasDefault = current?.defaultRing === ring.name;
    if (wasDefault !== isDefault) detail.default = [wasDefault, isDefault];
    if (Object.keys(detail).length) changes.push({ action: "group-changed", group: ring.name, detail });
  }
  for (const ring of current?.rings ?? []) if (!after.has(ring.name)) changes.push({ action: "group-removed", group: ring.name, detail: {} });

  const ringOfBefore = new Map((current?.rings ?? []).flatMap((r) => r.packages.map((p) => [p, r.name] as const)));
  const ringOfAfter = new Map(next.rings.flatMap((r) => r.packages.map((p) => [p, r.name] as const)));
  const packages = [...new Set([...ringOfBefore.keys(), ...ringOfAfter.keys()])].sort();
  for (const pkg of packages) {
    const from = ringOfBefore.get(pkg);
    const to = ringOfAfter.get(pkg);
    if (from === to) continue;
    if (from && to) changes.push({ action: "package-moved", group: to, package: pkg, fromGroup: from });
    else if (to) changes.push({ action: "package-added", group: to, package: pkg });
    else changes.push({ action: "package-removed", group: from!, package: pkg });
  }
  return changes;
}

export function describeChange(c: RingChange): string {
  switch (c.action) {
    case "group-added":
      return `ring ${c.group} added (order ${c.detail.order}${c.detail.default ? ", the default" : ""})`;
    case "group-removed":
      return `ring ${c.group} removed`;
    case "group-changed":
      return `ring ${c.group}: ${Object.entries(c.detail).map(([k, [a, b]]) => `${k} ${JSON.stringify(a)} -> ${JSON.stringify(b)}`).join(", ")}`;
    case "package-added":
      return `${c.package}: into ${c.group}`;
    case "package-removed":
      return `${c.package}: out of ${c.group} (now the default ring)`;
    case "package-moved":
      return `${c.package}: ${c.fromGroup} -> ${c.group}`;
  }
}

// ---- answers ----

export interface PackageRing {
  package: string;
  ring: string;
  order: number;
  /** true: no ring names it, it falls in the default */
  byDefault: boolean;
}

export function ringOfPackage(def: RingsDefinition, pkg: string): PackageRing {
  const named = def.rings.find((r) => r.packages.includes(pkg));
  const ring = named ?? def.rings.find((r) => r.name === def.defaultRing)!;
  return { package: pkg, ring: ring.name, order: ring.order, byDefault: !named };
}

export interface ArtifactRing {
  ring: string;
  order: number;
  /** the artifact's packages in that ring, sorted */
  because: string[];
  /** how many of its packages are in each ring */
  counts: Record<string, number>;
}

/** An artifact inherits the strictest ring of the source packages it contains. */
export function strictestRing(def: RingsDefinition, packages: Iterable<string>): ArtifactRing {
  const rings = [...new Set(packages)].sort().map((p) => ringOfPackage(def, p));
  const counts: Record<string, number> = {};
  for (const r of rings) counts[r.ring] = (counts[r.ring] ?? 0) + 1;
  if (!rings.length) {
    const d = def.rings.find((r) => r.name === def.defaultRing)!;
    return { ring: d.name, order: d.order, because: [], counts };
  }
  const order = Math.min(...rings.map((r) => r.order));
  const strictest = rings.filter((r) => r.order === order);
  return { ring: strictest[0]!.ring, order, because: strictest.map((r) => r.package), counts };
}

/** For reading a definition back from composedb's rows. */
export function definitionFromGroups(release: string, groups: readonly { name: string; order: number | null; description: string | null; packages: string[]; isDefault: boolean }[]): RingsDefinition | null {
  if (!groups.length) return null;
  const rings = groups.map((g) => ({ name: g.name, order: g.order ?? 0, description: g.description, packages: [...g.packages].sort() })).sort((a, b) => a.order - b.order);
  return { release, defaultRing: groups.find((g) => g.isDefault)?.name ?? rings.at(-1)!.name, rings };
}
