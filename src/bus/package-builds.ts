// Which tag changes are package changes. Koji tags image builds (livemedia, image-build, kiwi,
// container builds) into the same tags as RPM builds — a pipeline's own images land in the compose
// tag unless skip_tag is set (builder/kojid, LiveMediaTask/ImageTask tag unless `skip_tag`). The
// tag message does not say which kind a build is (koji-fedoramessaging's TagV1 body has name,
// version, release, tag, owner), so Koji is asked: getBuildType lists a build's types
// (kojihub/kojihub.py get_build_type), and only a build of type "rpm" changes what goes into
// images.
import type { KojiClient } from "../clients/koji.js";
import type { PackageChange } from "../domain/debounce.js";

export interface SplitChanges {
  packages: PackageChange[];
  /** changes of builds that are not RPM builds, with their Koji build types */
  notPackages: { change: PackageChange; types: string[] }[];
}

/** A build's types never change once it exists: remembered per NVR, a bounded number of them. */
const REMEMBERED = 20_000;

export class PackageBuildFilter {
  private readonly known = new Map<string, string[] | null>();

  constructor(private readonly koji: Pick<KojiClient, "getBuildTypes">) {}

  /** Splits changes into RPM builds and others; one Koji round trip for the NVRs not seen yet. */
  async split(changes: readonly PackageChange[]): Promise<SplitChanges> {
    const unknown = [...new Set(changes.map((c) => c.nvr).filter((nvr) => !this.known.has(nvr)))];
    if (unknown.length > 0) {
      const types = await this.koji.getBuildTypes(unknown);
      unknown.forEach((nvr, i) => this.remember(nvr, types[i] ?? null));
    }
    const out: SplitChanges = { packages: [], notPackages: [] };
    for (const change of changes) {
      const types = this.known.get(change.nvr) ?? null;
      // A build Koji no longer knows (deleted) may still have been in images: count it as a change.
      if (types === null || types.includes("rpm")) out.packages.push(change);
      else out.notPackages.push({ change, types });
    }
    return out;
  }

  private remember(nvr: string, types: string[] | null): void {
    this.known.set(nvr, types);
    if (this.known.size > REMEMBERED) this.known.delete(this.known.keys().next().value!);
  }
}
