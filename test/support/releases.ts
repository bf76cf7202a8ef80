// Release definitions for tests: the sandbox release, varied the way a test needs it.
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../src/config.js";

/**
 * The sandbox release with external CI required for the container image (`testcase`), waiting up
 * to `waitSeconds` for it; written under `dir`, which is returned as a releases directory.
 */
export function releasesWithCi(dir: string, opts: { testcase: string; waitSeconds: number }): string {
  const text = fs
    .readFileSync(path.join(projectRoot, "config", "artifacts", "fedora-rawhide.yaml"), "utf8")
    .replace("  type: nightly\n", `  type: nightly\n  ciWaitSeconds: ${opts.waitSeconds}\n`)
    .replace(/(name: Container-Base[\s\S]*?checks: \{ maxGrowthPercent: 5)( \})/, `$1, ciTestcases: [${opts.testcase}]$2`);
  if (!text.includes(`ciTestcases: [${opts.testcase}]`)) throw new Error("could not add CI to the release definition");
  const out = path.join(dir, "artifacts");
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "fedora-rawhide.yaml"), text);
  return out;
}
