// Playing packager against the running sandbox: `relengotron sandbox bump firefox` tags a new build,
// so the next pipeline (or the bus trigger) has something to rebuild.
import type { Command } from "commander";
import { config } from "../config.js";
import { bumpPackage, sandboxKoji } from "../runtime/wiring.js";
import { output } from "./output.js";

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
      const result = await bumpPackage(sandboxKoji(config()), { tag: opts.tag, package: pkg, sizeFactor, renameDeps });
      output(cmd, result, () => `tagged ${result.nvr} (build ${result.buildId}) into ${opts.tag}`);
    });
}
