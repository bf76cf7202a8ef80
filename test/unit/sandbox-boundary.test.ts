// Production code never imports the sandbox: src/sandbox/ is reached only through the one wiring
// module (src/runtime/wiring.ts), which chooses it from the configuration.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/config.js";

const SRC = path.join(projectRoot, "src");
const SANDBOX = path.join(SRC, "sandbox");
const WIRING = path.join(SRC, "runtime", "wiring.ts");

/** Every module specifier a TypeScript file names: static and type imports, re-exports, dynamic imports. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^;'"]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) out.push(m[1]!);
  return out;
}

/** The specifiers of `file` that resolve into src/sandbox/. */
function sandboxImports(file: string, text: string): string[] {
  return specifiers(text).filter((s) => {
    if (!s.startsWith(".")) return false;
    const target = path.resolve(path.dirname(file), s);
    return target === SANDBOX || target.startsWith(SANDBOX + path.sep);
  });
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

describe("the sandbox boundary", () => {
  it("finds every kind of import of the sandbox", () => {
    const file = path.join(SRC, "cli", "example.ts");
    const text = [
      `import { a } from "../sandbox/index.js";`,
      `import type { B } from '../sandbox/koji-hub.js';`,
      `import {\n  c,\n  d,\n} from "../sandbox/bump.js";`,
      `export { e } from "../sandbox/compose-step.js";`,
      `export * from "../sandbox/resultsdb.js";`,
      `import "../sandbox/static-files.js";`,
      `const f = await import("../sandbox/koji-seed.js");`,
      `import { g } from "../bus/sandbox-like.js";`,
      `import { h } from "./sandbox.js";`,
    ].join("\n");
    expect(sandboxImports(file, text)).toEqual([
      "../sandbox/index.js",
      "../sandbox/koji-hub.js",
      "../sandbox/bump.js",
      "../sandbox/compose-step.js",
      "../sandbox/resultsdb.js",
      "../sandbox/static-files.js",
      "../sandbox/koji-seed.js",
    ]);
  });

  it("is crossed by src/runtime/wiring.ts alone", () => {
    const files = sourceFiles(SRC).filter((f) => !f.startsWith(SANDBOX + path.sep));
    expect(files.length).toBeGreaterThan(50);
    const crossing = files.flatMap((f) => sandboxImports(f, fs.readFileSync(f, "utf8")).map((s) => `${path.relative(projectRoot, f)} imports ${s}`));
    const outsideWiring = crossing.filter((line) => !line.startsWith(`${path.relative(projectRoot, WIRING)} `));
    expect(outsideWiring, "only src/runtime/wiring.ts may import src/sandbox/: route it through the wiring").toEqual([]);
    // The wiring really is the door (the test would pass vacuously if it no longer were).
    expect(crossing.length).toBeGreaterThan(0);
  });
});
