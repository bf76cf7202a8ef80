// What changed between two composes: source packages, binary RPMs and images, compose-wide and
// per variant/arch. The result is plain JSON so it can be stored, returned by the API and
// passed through Temporal unchanged.

import {
  type ComposeContent,
  NevraCache,
  type SourcePackages,
  addSourcePackage,
  indexCompose,
  sortVariantArchKeys,
} from "./compose-content.js";
import { type ImageDiff, diffImages } from "./image-diff.js";
import {
  type PackageAdded,
  type PackageChanged,
  type PackageChanges,
  type PackageRemoved,
  type RpmChanges,
  countPackageChanges,
  diffRpms,
  diffSourcePackages,
} from "./package-diff.js";

export { formatDiffText } from "./compose-diff-text.js";

export interface SeenIn {
  /** "variant/arch" keys where this package's EVR differs between the composes, sorted. */
  variants: string[];
}

export interface ComposeDiff {
  from: string;
  to: string;
  /** Source packages (by SRPM name); a package's EVR is its highest EVR in the compose. */
  packages: {
    added: (PackageAdded & SeenIn)[];
    removed: (PackageRemoved & SeenIn)[];
    upgraded: (PackageChanged & SeenIn)[];
    downgraded: (PackageChanged & SeenIn)[];
  };
  /** Binary and debug RPM NEVRAs present anywhere in one compose and nowhere in the other. */
  rpms: RpmChanges;
  images: ImageDiff;
  /** Only the variant/arches where something changed, sorted by variant, then arch. */
  byVariantArch: VariantArchDiff[];
}

export interface VariantArchDiff {
  variant: string;
  arch: string;
  packages: PackageChanges;
  rpms: RpmChanges;
}

export function diffComposes(a: ComposeContent, b: ComposeContent): ComposeDiff {
  const cache = new NevraCache();
  const before = indexCompose(a, cache);
  const after = indexCompose(b, cache);

  const wideBefore: SourcePackages = new Map();
  const wideAfter: SourcePackages = new Map();
  const binariesBefore = new Set<string>();
  const binariesAfter = new Set<string>();
  for (const index of before.values()) {
    for (const [name, evr] of index.sources) addSourcePackage(wideBefore, name, evr);
    for (const nevra of index.binaries) binariesBefore.add(nevra);
  }
  for (const index of after.values()) {
    for (const [name, evr] of index.sources) addSourcePackage(wideAfter, name, evr);
    for (const nevra of index.binaries) binariesAfter.add(nevra);
  }

  const byVariantArch: VariantArchDiff[] = [];
  const seenIn = new Map<string, string[]>();
  const empty = { sources: new Map(), binaries: new Set<string>() };
  for (const key of sortVariantArchKeys(new Set([...before.keys(), ...after.keys()]))) {
    const old = before.get(key) ?? empty;
    const current = after.get(key) ?? empty;
    const { variant, arch } = (before.get(key) ?? after.get(key))!;
    const packages = diffSourcePackages(old.sources, current.sources);
    const rpms = diffRpms(old.binaries, current.binaries, cache);
    if (countPackageChanges(packages) + rpms.added.length + rpms.removed.length === 0) continue;
    byVariantArch.push({ variant, arch, packages, rpms });
    for (const { name } of [...packages.added, ...packages.removed, ...packages.upgraded, ...packages.downgraded]) {
      const keys = seenIn.get(name);
      if (keys === undefined) seenIn.set(name, [key]);
      else keys.push(key);
    }
  }

  const wide = diffSourcePackages(wideBefore, wideAfter);
  const withVariants = <T extends { name: string }>(change: T): T & SeenIn => ({
    ...change,
    variants: seenIn.get(change.name) ?? [],
  });

  return {
    from: a.composeId,
    to: b.composeId,
    packages: {
      added: wide.added.map(withVariants),
      removed: wide.removed.map(withVariants),
      upgraded: wide.upgraded.map(withVariants),
      downgraded: wide.downgraded.map(withVariants),
    },
    rpms: diffRpms(binariesBefore, binariesAfter, cache),
    images: diffImages(a.images, b.images, a.composeId, b.composeId),
    byVariantArch,
  };
}
