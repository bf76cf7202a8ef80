// The `relengotron` command. Each subcommand is a thin shell over domain logic and the database.
import { Command, Option } from "commander";
import { ConfigError } from "../config.js";
import { registerComposedbCommands } from "./composedb.js";
import { registerPipelineCommands } from "./pipeline.js";
import { registerSandboxCommands } from "./sandbox.js";
import { registerServiceCommands } from "./services.js";

const program = new Command()
  .name("relengotron")
  .description("Fedora release engineering as durable Temporal workflows, with composedb")
  .showHelpAfterError()
  .addOption(new Option("--json", "print machine-readable JSON").default(false));

registerServiceCommands(program);
registerPipelineCommands(program);
registerComposedbCommands(program);
registerSandboxCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`relengotron: ${error.message}`);
    process.exit(78); // EX_CONFIG
  }
  console.error(`relengotron: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.RELENGOTRON_DEBUG) console.error(error);
  process.exit(1);
}
