// `relengotron doctor`: the deployment's configuration checked from the outside (src/doctor/checks.ts).
import { Command, Option } from "commander";
import { ConfigError, loadConfig, type Config } from "../config.js";
import { formatLine, runDoctor, type DoctorLine } from "../doctor/checks.js";
import { output } from "./output.js";

export function registerDoctorCommands(program: Command): void {
  program
    .command("doctor")
    .description("check the deployment's configuration: database and migrations, Temporal and search attributes, Koji and its login, ResultsDB, the broker, release definitions, writable dirs")
    .addOption(new Option("--timeout <seconds>", "how long each check waits for a peer").default("10"))
    .action(async (opts: { timeout: string }, cmd: Command) => {
      const seconds = Number(opts.timeout);
      if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`--timeout: expected a positive number of seconds, got ${JSON.stringify(opts.timeout)}`);
      let lines: DoctorLine[];
      let cfg: Config | undefined;
      try {
        cfg = loadConfig(process.env);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        lines = error.problems.map((problem) => ({ status: "FAIL", what: "configuration", detail: problem }));
      }
      if (cfg) lines = [{ status: "ok", what: "configuration parses" }, ...(await runDoctor(cfg, seconds * 1000))];
      const failed = lines!.filter((l) => l.status === "FAIL").length;
      output(cmd, { ok: failed === 0, failed, checks: lines! }, () => lines!.map(formatLine).join("\n"));
      process.exitCode = failed ? 1 : 0;
      // A peer that timed out may still hold a socket open: the answer is given, do not wait for it.
      setTimeout(() => process.exit(), 1000).unref();
    });
}
