// The in-memory view of a compose that the comparison logic works on: what rpms.json and
// images.json say, reduced to the fields that decide "what changed".

import { type Evr, compareEvr } from "./evr.js";
import { type Nevra, isSourceArch, normaliseNevra, parseNevra } from "./nevra.js";

export type RpmCategory = "binary" | "debug" | "source";

export interface ComposeRpm {
  /** productmd NEVRA key of the RPM file, "name-epoch:version-release.arch". */
  nevra: string;
  /** NEVRA of the source RPM it was built from ("….src"). */
  srpm: string;
  category: RpmCategory;
}

export interface ComposeImage {
  variant: string;
  /** The image's own arch attribute ("src" for source images), not the tree it is listed under. */
  arch: string;
  subvariant: string;
  type: string;
  format: string;
  discNumber: number;
  path: string;
  size: number;
  checksums: Record<string, string>;
}

export interface ComposeContent {
  composeId: string;
  /** variant uid -> variant arch -> RPM entries listed under it in rpms.json */
  rpms: Record<string, Record<string, ComposeRpm[]>>;
  images: ComposeImage[];
}

/** Code-unit order: deterministic everywhere, unlike localeCompare. */
export function compareText(a: string, b: string): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function variantArchKey(variant: string, arch: string): string {
  return `${variant}/${arch}`;
}

/** Sort "variant/arch" keys by variant, then arch. */
export function sortVariantArchKeys(keys: Iterable<string>): string[] {
  return [...keys].sort((x, y) => {
    const [vx = "", ax = ""] = splitKey(x);
    const [vy = "", ay = ""] = splitKey(y);
    return compareText(vx, vy) || compareText(ax, ay);
  });
}

function splitKey(key: string): [string, string] {
  const slash = key.lastIndexOf("/");
  return [key.slice(0, slash), key.slice(slash + 1)];
}

/** Memoises NEVRA parsing: a compose lists the same source RPM under every variant and arch. */
export class NevraCache {
  private readonly parsed = new Map<string, Nevra>();

  parse(text: string): Nevra {
    let nevra = this.parsed.get(text);
    if (nevra === undefined) {
      nevra = parseNevra(text);
      this.parsed.set(text, nevra);
    }
    return nevra;
  }
}

/** Source package name -> highest EVR of it, over some set of RPM entries. */
export type SourcePackages = Map<string, Evr>;

export function addSourcePackage(packages: SourcePackages, name: string, evr: Evr): void {
  const current = packages.get(name);
  if (current === undefined || compareEvr(evr, current) > 0) packages.set(name, evr);
}

/** What one variant/arch of a compose holds, by source package and by binary NEVRA. */
export interface VariantArchIndex {
  variant: string;
  arch: string;
  sources: SourcePackages;
  /** Normalised NEVRAs of binary and debug RPMs. */
  binaries: Set<string>;
}

/**
 * Binary and debug RPMs count as binaries. Source RPMs never do, even when an old rpms.json
 * files one under category "binary" (productmd's own 1.0 example does).
 */
export function isBinaryRpm(rpm: ComposeRpm, nevra: Pick<Nevra, "arch">): boolean {
  return rpm.category !== "source" && !isSourceArch(nevra.arch);
}

export function indexVariantArch(
  variant: string,
  arch: string,
  rpms: readonly ComposeRpm[],
  cache: NevraCache,
): VariantArchIndex {
  const sources: SourcePackages = new Map();
  const binaries = new Set<string>();
  // rpms.json nests RPMs under their SRPM, so entries of one SRPM arrive together.
  let previousSrpm: string | undefined;
  for (const rpm of rpms) {
    if (rpm.srpm !== previousSrpm) {
      const srpm = cache.parse(rpm.srpm);
      addSourcePackage(sources, srpm.name, srpm);
      previousSrpm = rpm.srpm;
    }
    if (rpm.category === "source") continue;
    const nevra = normaliseNevra(rpm.nevra);
    if (isBinaryRpm(rpm, { arch: nevra.slice(nevra.lastIndexOf(".") + 1) })) binaries.add(nevra);
  }
  return { variant, arch, sources, binaries };
}

/** Index every variant/arch of a compose, keyed "variant/arch". */
export function indexCompose(content: ComposeContent, cache: NevraCache): Map<string, VariantArchIndex> {
  const index = new Map<string, VariantArchIndex>();
  for (const [variant, arches] of Object.entries(content.rpms)) {
    for (const [arch, rpms] of Object.entries(arches)) {
      index.set(variantArchKey(variant, arch), indexVariantArch(variant, arch, rpms, cache));
    }
  }
  return index;
}
