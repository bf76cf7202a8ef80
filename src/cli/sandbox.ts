// Playing packager against the running sandbox: `relengotron sandbox bump firefox` tags a new build,
// so the next pipeline (or the bus trigger) has something to rebuild.
import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { KojiClient } from "../clients/koji.js";
import { config } from "../config.js";
import { bumpPackage } from "../sandbox/bump.js";
import { SANDBOX_KOJI_USER } from "../sandbox/index.js";
import { output } from "./output.js";

function sandboxKoji(): KojiClient {
  const cfg = config();
  if (!cfg.useSandbox) throw new Error("KOJI_URL is set: `sandbox` commands only talk to the sandbox hub");
  const passwordFile = path.join(cfg.dataDir, "sandbox", "koji-password");
  if (!fs.existsSync(passwordFile)) throw new Error(`${passwordFile} does not exist: start the sandbox with ./run start first`);
  return new KojiClient({
    url: `http://${cfg.RELENGOTRON_SANDBOX_HOST}:${cfg.RELENGOTRON_SANDBOX_PORT}/kojihub`,
    user: SANDBOX_KOJI_USER,
    password: fs.readFileSync(passwordFile, "utf8").trim(),
  });
}

export function registerSandboxCommands(program: Command): void {
  const sandbox = program.command("sandbox").description("act on the running sandbox Koji");
  sandbox
    .command("bump")
    .description("tag a new build of a package (release + 1) into the sandbox compose tag")
    .argument("<package>", "e.g. firefox")
    .option("--tag <tag>", "the tag", "f46")
    .option("--size-factor <n>", "scale its RPM sizes (an image growing)", "1")
    .option("--rename-dep <old=new...>", "rename a provide/require in the new build (a soname bump)")
    .action(async (pkg: string, opts: { tag: string; sizeFactor: string; renameDep?: string[] }, cmd: Command) => {
      const renameDeps = Object.fromEntries(
        (opts.renameDep ?? []).map((pair) => {
          const [from, to] = pair.split("=");
          if (!from || !to) throw new Error(`--rename-dep ${pair}: expected old=new`);
          return [from, to];
        }),
      );
      const sizeFactor = Number(opts.sizeFactor);
      if (!(sizeFactor > 0)) throw new Error(`--size-factor ${opts.sizeFactor}: expected a positive number`);
      const result = await bumpPackage(sandboxKoji(), { tag: opts.tag, package: pkg, sizeFactor, renameDeps });
      output(cmd, result, () => `tagged ${result.nvr} (build ${result.buildId}) into ${opts.tag}`);
    });
}
