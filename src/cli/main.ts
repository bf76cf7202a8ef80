// The `relengotron` command. Each subcommand is a thin shell over domain logic and the database.
import { ConfigError } from "../config.js";
import { buildProgram } from "./program.js";

const program = buildProgram();

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
