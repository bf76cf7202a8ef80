// The Temporal dev server as a child process of `relengotron up`: persistent under the data folder,
// Web UI on, namespace and search attributes registered at start.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Connection } from "@temporalio/client";
import { devServerSearchAttributeArgs } from "./search-attributes.js";

export interface DevServerOptions {
  binary: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string;
  logFile: string;
  stop(): Promise<void>;
}

export function devServerArgs(opts: DevServerOptions): string[] {
  return [
    "server",
    "start-dev",
    "--ip", "127.0.0.1",
    "--port", String(opts.port),
    "--ui-port", String(opts.uiPort),
    "--db-filename", path.join(opts.dataDir, "temporal", "dev-server.sqlite"),
    "--namespace", opts.namespace,
    "--log-level", "warn",
    ...devServerSearchAttributeArgs(),
  ];
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServer> {
  const dir = path.join(opts.dataDir, "temporal");
  fs.mkdirSync(dir, { recursive: true });
  killStale(path.join(dir, "server.pid"), opts.binary);
  const logFile = path.join(opts.dataDir, "logs", "temporal.log");
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, "a");
  const child = spawn(opts.binary, devServerArgs(opts), { stdio: ["ignore", out, out] });
  fs.closeSync(out);
  fs.writeFileSync(path.join(dir, "server.pid"), `${child.pid}\n`);
  const address = `127.0.0.1:${opts.port}`;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  try {
    await waitUntilServing(address, opts.namespace, exited);
  } catch (error) {
    await stopChild(child, exited);
    throw new Error(`Temporal dev server did not start (${(error as Error).message}); see ${logFile}`);
  }
  return {
    address,
    uiUrl: `http://127.0.0.1:${opts.uiPort}`,
    logFile,
    stop: async () => {
      await stopChild(child, exited);
      fs.rmSync(path.join(dir, "server.pid"), { force: true });
    },
  };
}

async function waitUntilServing(address: string, namespace: string, exited: Promise<number | null>): Promise<void> {
  let failed: number | null | undefined;
  void exited.then((code) => (failed = code));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (failed !== undefined) throw new Error(`it exited with code ${failed}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`not reachable at ${address} after 60 s: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A dev server left behind by a killed `up` holds the database file: stop it first. */
function killStale(pidFile: string, binary: string): void {
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").trim());
  fs.rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (cmdline.startsWith(binary) || cmdline.includes("start-dev")) process.kill(pid, "SIGKILL");
  } catch {
    // not running any more
  }
}
