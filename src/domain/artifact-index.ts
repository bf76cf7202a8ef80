// Which artifacts a change of source packages affects. An artifact contains the binary RPMs its last
// successful build recorded (its components); each comes from a source package (a Koji build's
// name). The index maps source package -> artifacts; an artifact whose content is unknown (never
// built, or no components recorded) is affected by any change.
import { parseNevra } from "./nevra.js";

export interface ArtifactContents {
  artifact: string;
  /** source packages it is made of; null when unknown */
  sources: readonly string[] | null;
}

export interface ArtifactIndex {
  /** source package -> artifacts containing one of its RPMs (sorted) */
  bySource: ReadonlyMap<string, readonly string[]>;
  /** artifacts every change affects */
  anyChange: readonly string[];
}

export function buildArtifactIndex(contents: readonly ArtifactContents[]): ArtifactIndex {
  const bySource = new Map<string, Set<string>>();
  const anyChange: string[] = [];
  for (const { artifact, sources } of contents) {
    if (sources === null) {
      anyChange.push(artifact);
      continue;
    }
    for (const source of sources) {
      let set = bySource.get(source);
      if (!set) bySource.set(source, (set = new Set()));
      set.add(artifact);
    }
  }
  return {
    bySource: new Map([...bySource].map(([source, set]) => [source, [...set].sort()])),
    anyChange: [...anyChange].sort(),
  };
}

export interface Affected {
  /** sorted */
  artifacts: string[];
  /** artifact -> why: the changed packages it contains, or "content unknown" */
  because: Record<string, string[]>;
}

export function affectedArtifacts(index: ArtifactIndex, packages: readonly string[]): Affected {
  const because = new Map<string, Set<string>>();
  const note = (artifact: string, why: string) => {
    let set = because.get(artifact);
    if (!set) because.set(artifact, (set = new Set()));
    set.add(why);
  };
  if (packages.length > 0) for (const artifact of index.anyChange) note(artifact, "content unknown (never built)");
  for (const pkg of packages) for (const artifact of index.bySource.get(pkg) ?? []) note(artifact, pkg);
  const artifacts = [...because.keys()].sort();
  return { artifacts, because: Object.fromEntries(artifacts.map((a) => [a, [...because.get(a)!].sort()])) };
}

/**
 * The source packages of an artifact's components. `sourceOf` answers from what is known (the input
 * snapshot the build was made from, composedb); a component it does not know is taken to come from
 * the source package of its own name, which is right for most packages.
 */
export function sourcePackagesOf(components: readonly string[], sourceOf: (nevra: string) => string | undefined): string[] {
  const sources = new Set<string>();
  for (const nevra of components) sources.add(sourceOf(nevra) ?? nameOf(nevra));
  return [...sources].sort();
}

function nameOf(nevra: string): string {
  try {
    return parseNevra(nevra).name;
  } catch {
    return nevra;
  }
}
