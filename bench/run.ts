// `npm run bench [-- name...]`: runs every benchmark module in bench/ (or those named) and prints
// each one's results as a table. A benchmark module default-exports a Benchmark; it may also be
// run directly as a script (for measurements in child processes).
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface BenchResult {
  title: string;
  columns: string[];
  rows: string[][];
  /** lines printed under the table */
  notes?: string[];
}

export interface Benchmark {
  name: string;
  description: string;
  run(log: (line: string) => void): Promise<BenchResult>;
}

/** Columns whose every cell starts with a digit are right-aligned. */
export function formatTable(result: BenchResult): string {
  const widths = result.columns.map((c, i) => Math.max(c.length, ...result.rows.map((r) => (r[i] ?? "").length)));
  const numeric = result.columns.map((_, i) => result.rows.length > 0 && result.rows.every((r) => /^[\d.,]/.test(r[i] ?? "")));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(" | ")} |`;
  return [
    result.title,
    line(result.columns),
    `|${widths.map((w, i) => (numeric[i] ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|`,
    ...result.rows.map(line),
    ...(result.notes ?? []).map((n) => `  ${n}`),
  ].join("\n");
}

async function main(): Promise<void> {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const wanted = process.argv.slice(2);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".ts") && f !== "run.ts")
    .sort();
  const benches: Benchmark[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { default?: Benchmark };
    if (mod.default && (wanted.length === 0 || wanted.includes(mod.default.name))) benches.push(mod.default);
  }
  if (benches.length === 0) throw new Error(`no benchmark named ${wanted.join(", ")} (have: ${files.map((f) => f.replace(/\.ts$/, "")).join(", ")})`);
  for (const bench of benches) {
    const started = Date.now();
    console.error(`[bench] ${bench.name}: ${bench.description}`);
    const result = await bench.run((line) => console.error(`[bench] ${bench.name}: ${line}`));
    console.log(`\n${formatTable(result)}\n  (${bench.name} took ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  });
}
