// A packager's day in the sandbox: a new build of a package (release + 1, same dependencies, sizes
// optionally scaled) tagged into the compose tag, through Koji's own API plus the sandbox-only
// `sandbox.createBuild` (real Koji builds from source; the sandbox has none).
import { z } from "zod";
import type { KojiClient } from "../clients/koji.js";

const depsSchema = z.array(z.looseObject({ name: z.string(), type: z.number() }));
const DEP_REQUIRE = 0;
const DEP_PROVIDE = 1;

export interface BumpOptions {
  tag: string;
  package: string;
  /** multiply every RPM's size by this */
  sizeFactor?: number;
  /** replace provides/requires names, e.g. a soname bump: {"libfoo.so.1()(64bit)": "libfoo.so.2()(64bit)"} */
  renameDeps?: Record<string, string>;
}

export async function bumpPackage(koji: KojiClient, opts: BumpOptions): Promise<{ nvr: string; buildId: number }> {
  await koji.login();
  const current = (await koji.listTagged(opts.tag, { latest: true, package: opts.package }))[0];
  if (!current) throw new Error(`package ${opts.package} has no build in ${opts.tag}`);
  const rpms = (await koji.listBuildRPMs(current.build_id)).filter((r) => r.arch !== "src");
  const deps = await koji.multicall(rpms.map((r) => ({ method: "getRPMDeps", params: [r.id] })));
  const rename = (name: string) => opts.renameDeps?.[name] ?? name;
  const release = current.release.replace(/^(\d+)/, (n) => String(Number(n) + 1));
  if (release === current.release) throw new Error(`cannot bump release ${current.release} of ${current.nvr}: it does not start with a number`);
  const spec = {
    name: opts.package,
    epoch: current.epoch,
    version: current.version,
    release,
    rpms: rpms.map((r, i) => {
      const result = deps[i]!;
      if (!result.ok) throw result.fault;
      const list = depsSchema.parse(result.value);
      return {
        name: r.name,
        arch: r.arch,
        size: Math.max(1, Math.round(r.size * (opts.sizeFactor ?? 1))),
        requires: list.filter((d) => d.type === DEP_REQUIRE).map((d) => rename(d.name)),
        provides: list.filter((d) => d.type === DEP_PROVIDE).map((d) => rename(d.name)),
      };
    }),
  };
  const buildId = z.number().int().parse(await koji.call("sandbox.createBuild", [spec]));
  await koji.tagBuild(opts.tag, buildId);
  return { nvr: `${opts.package}-${current.version}-${release}`, buildId };
}
