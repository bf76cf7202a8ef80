// One switch for every command: --json prints the value, otherwise the readable text.
import type { Command } from "commander";

export function output(cmd: Command, value: unknown, text: () => string): void {
  if (cmd.optsWithGlobals().json) {
    console.log(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v), 2));
  } else {
    console.log(text());
  }
}
