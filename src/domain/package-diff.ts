// Source-package and binary-RPM differences between two sets of compose contents.

import { type NevraCache, type SourcePackages, compareText } from "./compose-content.js";
import { compareEvr, formatEvr } from "./evr.js";

export interface PackageAdded {
  name: string;
  /** EVR as "epoch:version-release". */
  to: string;
}

export interface PackageRemoved {
  name: string;
  from: string;
}

export interface PackageChanged {
  name: string;
  from: string;
  to: string;
}

export interface PackageChanges {
  added: PackageAdded[];
  removed: PackageRemoved[];
  upgraded: PackageChanged[];
  downgraded: PackageChanged[];
}

export interface RpmChanges {
  /** Normalised NEVRAs ("name-epoch:version-release.arch"). */
  added: string[];
  removed: string[];
}

export function countPackageChanges(changes: PackageChanges): number {
  return changes.added.length + changes.removed.length + changes.upgraded.length + changes.downgraded.length;
}

/** Source packages compared by their highest EVR on each side; output sorted by name. */
export function diffSourcePackages(from: SourcePackages, to: SourcePackages): PackageChanges {
  const changes: PackageChanges = { added: [], removed: [], upgraded: [], downgraded: [] };
  const names = new Set([...from.keys(), ...to.keys()]);
  for (const name of [...names].sort(compareText)) {
    const before = from.get(name);
    const after = to.get(name);
    if (before === undefined && after !== undefined) {
      changes.added.push({ name, to: formatEvr(after) });
    } else if (after === undefined && before !== undefined) {
      changes.removed.push({ name, from: formatEvr(before) });
    } else if (before !== undefined && after !== undefined) {
      const order = compareEvr(before, after);
      if (order < 0) changes.upgraded.push({ name, from: formatEvr(before), to: formatEvr(after) });
      if (order > 0) changes.downgraded.push({ name, from: formatEvr(before), to: formatEvr(after) });
    }
  }
  return changes;
}

/** NEVRAs sorted by name, then EVR in rpm order, then arch. */
export function sortNevras(nevras: Iterable<string>, cache: NevraCache): string[] {
  return [...nevras].sort((x, y) => {
    const a = cache.parse(x);
    const b = cache.parse(y);
    return compareText(a.name, b.name) || compareEvr(a, b) || compareText(a.arch, b.arch) || compareText(x, y);
  });
}

export function diffRpms(from: ReadonlySet<string>, to: ReadonlySet<string>, cache: NevraCache): RpmChanges {
  const added = [...to].filter((nevra) => !from.has(nevra));
  const removed = [...from].filter((nevra) => !to.has(nevra));
  return { added: sortNevras(added, cache), removed: sortNevras(removed, cache) };
}
