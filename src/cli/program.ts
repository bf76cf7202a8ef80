// The `relengotron` command line, built without running it: src/cli/main.ts runs it, and tests ask
// it which subcommands exist (test/unit/docker-compose.test.ts).
import { Command, Option } from "commander";
import { registerComposedbCommands } from "./composedb.js";
import { registerDecideCommands } from "./decide.js";
import { registerDoctorCommands } from "./doctor.js";
import { registerPipelineCommands } from "./pipeline.js";
import { registerRingsCommands } from "./rings.js";
import { registerSandboxCommands } from "./sandbox.js";
import { registerServiceCommands } from "./services.js";

export function buildProgram(): Command {
  const program = new Command()
    .name("relengotron")
    .description("Fedora release engineering as durable Temporal workflows, with composedb")
    .showHelpAfterError()
    .addOption(new Option("--json", "print machine-readable JSON").default(false));

  registerServiceCommands(program);
  registerPipelineCommands(program);
  registerComposedbCommands(program);
  registerDecideCommands(program);
  registerRingsCommands(program);
  registerSandboxCommands(program);
  registerDoctorCommands(program);
  return program;
}
