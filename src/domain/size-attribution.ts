// Why did an image grow? Given the RPMs of the image's variant/arch in the compose before and
// after the jump, list the binary packages that entered or changed, biggest growth first.
//
// productmd metadata carries no RPM sizes. When the caller knows them (from Koji or the RPM
// headers) they rank the packages by bytes added; packages whose size is unknown follow,
// entered ones first, then upgraded, then downgraded. Only "binary" RPMs are considered:
// images never contain debuginfo or source RPMs.

import { type ComposeRpm, NevraCache, compareText } from "./compose-content.js";
import { type Nevra, formatNevra, isSourceArch } from "./nevra.js";
import { compareEvr } from "./evr.js";

export type SizeChangeKind = "entered" | "upgraded" | "downgraded";

export interface SizeContributor {
  name: string;
  arch: string;
  change: SizeChangeKind;
  /** NEVRA before, null for a package that entered. */
  from: string | null;
  to: string;
  /** Bytes added (after size minus before size), null when a size is unknown. */
  sizeDelta: number | null;
}

export interface SizeAttribution {
  /** Growing packages with known sizes by sizeDelta descending, then the unknown ones. */
  contributors: SizeContributor[];
  /** Sum of the known, positive sizeDeltas. */
  knownGrowth: number;
}

export type RpmSizes = ReadonlyMap<string, number> | Readonly<Record<string, number>>;

const KIND_ORDER: Record<SizeChangeKind, number> = { entered: 0, upgraded: 1, downgraded: 2 };

/** Binary RPMs by "name.arch", keeping the highest EVR when several versions are listed. */
function newestByNameArch(rpms: readonly ComposeRpm[], cache: NevraCache): Map<string, Nevra> {
  const packages = new Map<string, Nevra>();
  for (const rpm of rpms) {
    if (rpm.category !== "binary") continue;
    const nevra = cache.parse(rpm.nevra);
    if (isSourceArch(nevra.arch)) continue;
    const key = `${nevra.name}.${nevra.arch}`;
    const current = packages.get(key);
    if (current === undefined || compareEvr(nevra, current) > 0) packages.set(key, nevra);
  }
  return packages;
}

/** Sizes keyed by normalised NEVRA, so "bash-5.2-1.x86_64" and "bash-0:5.2-1.x86_64" match. */
function normaliseSizes(sizes: RpmSizes | undefined, cache: NevraCache): Map<string, number> {
  const normalised = new Map<string, number>();
  if (sizes === undefined) return normalised;
  const entries = sizes instanceof Map ? [...sizes.entries()] : Object.entries(sizes);
  for (const [nevra, size] of entries) normalised.set(formatNevra(cache.parse(nevra)), size);
  return normalised;
}

export function attributeSizeChange(
  beforeRpms: readonly ComposeRpm[],
  afterRpms: readonly ComposeRpm[],
  rpmSizes?: RpmSizes,
): SizeAttribution {
  const cache = new NevraCache();
  const before = newestByNameArch(beforeRpms, cache);
  const after = newestByNameArch(afterRpms, cache);
  const sizes = normaliseSizes(rpmSizes, cache);

  const known: SizeContributor[] = [];
  const unknown: SizeContributor[] = [];
  for (const [key, nevra] of after) {
    const old = before.get(key);
    const order = old === undefined ? 1 : compareEvr(nevra, old);
    if (old !== undefined && order === 0) continue;
    const to = formatNevra(nevra);
    const from = old === undefined ? null : formatNevra(old);
    const sizeAfter = sizes.get(to);
    const sizeBefore = from === null ? 0 : sizes.get(from);
    const change: SizeChangeKind = old === undefined ? "entered" : order > 0 ? "upgraded" : "downgraded";
    const contributor = { name: nevra.name, arch: nevra.arch, change, from, to };
    if (sizeAfter === undefined || sizeBefore === undefined) {
      unknown.push({ ...contributor, sizeDelta: null });
    } else if (sizeAfter > sizeBefore) {
      known.push({ ...contributor, sizeDelta: sizeAfter - sizeBefore });
    }
  }

  const byName = (a: SizeContributor, b: SizeContributor): number =>
    compareText(a.name, b.name) || compareText(a.arch, b.arch);
  known.sort((a, b) => (b.sizeDelta ?? 0) - (a.sizeDelta ?? 0) || byName(a, b));
  unknown.sort((a, b) => KIND_ORDER[a.change] - KIND_ORDER[b.change] || byName(a, b));
  return {
    contributors: [...known, ...unknown],
    knownGrowth: known.reduce((sum, c) => sum + (c.sizeDelta ?? 0), 0),
  };
}
