// The sandbox: loopback stand-ins for Fedora infrastructure, used when no real endpoint is
// configured, so a fresh machine runs the whole loop. A Koji hub (XML-RPC), a ResultsDB, a WaiverDB,
// and a web server for the compose trees and the mirror.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { KojiHub, type KojiHubEvent } from "./koji-hub.js";
import { fedoraRawhideSeed } from "./koji-seed.js";
import { SandboxResultsDb } from "./resultsdb.js";
import { serveDirectory } from "./static-files.js";
import { SandboxWaiverDb } from "./waiverdb.js";
import type { Result } from "../clients/resultsdb.js";

export interface SandboxOptions {
  dir: string;
  host: string;
  kojiPort: number;
  webPort: number;
  composeRoot: string;
  mirrorDir: string;
  /** how long a sandbox image build takes */
  taskDurationMs?: number;
  onKojiEvent?: (event: KojiHubEvent) => void;
  onResult?: (result: Result) => void;
  log?: (line: string) => void;
}

export interface Sandbox {
  hub: KojiHub;
  resultsdb: SandboxResultsDb;
  waiverdb: SandboxWaiverDb;
  kojiUrl: string;
  kojiTopurl: string;
  resultsdbUrl: string;
  /** WaiverDB's API root (…/api/v1.0) */
  waiverdbApiUrl: string;
  /** the bearer token of the sandbox WaiverDB's one (superuser) account, also in `<dir>/waiverdb-token` */
  waiverdbToken: string;
  webUrl: string;
  /** the sandbox Koji account relengotron logs in with */
  kojiUser: { name: string; password: string };
  close(): Promise<void>;
}

export const SANDBOX_KOJI_USER = "releng";
export const SANDBOX_WAIVERDB_USER = "releng";

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  fs.mkdirSync(opts.dir, { recursive: true });
  fs.mkdirSync(opts.composeRoot, { recursive: true });
  fs.mkdirSync(opts.mirrorDir, { recursive: true });
  const password = readOrCreateSecret(path.join(opts.dir, "koji-password"));
  const hub = await KojiHub.start({
    topDir: path.join(opts.dir, "koji"),
    statePath: path.join(opts.dir, "koji-state.json"),
    seed: fedoraRawhideSeed,
    users: [{ name: SANDBOX_KOJI_USER, password, perms: ["admin"] }],
    taskDurationMs: opts.taskDurationMs,
    onEvent: opts.onKojiEvent,
    log: opts.log,
    port: opts.kojiPort,
    host: opts.host,
  });
  const resultsdb = new SandboxResultsDb({ stateFile: path.join(opts.dir, "resultsdb.json"), onResult: opts.onResult });
  // one WaiverDB account, a superuser (it may proxy for others with `username`), whose bearer token
  // is kept next to the Koji password
  const waiverdbToken = readOrCreateSecret(path.join(opts.dir, "waiverdb-token"));
  const waiverdb = new SandboxWaiverDb({ stateFile: path.join(opts.dir, "waiverdb.json"), tokens: { [waiverdbToken]: SANDBOX_WAIVERDB_USER }, superusers: [SANDBOX_WAIVERDB_USER] });
  const web = http.createServer((req, res) => {
    void (async () => {
      if (await resultsdb.handle(req, res, "/resultsdb")) return;
      if (await waiverdb.handle(req, res, "/waiverdb")) return;
      if (serveDirectory(req, res, "/composes/", opts.composeRoot)) return;
      if (serveDirectory(req, res, "/mirror/", opts.mirrorDir)) return;
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("sandbox: /resultsdb/api/v2.0/…, /waiverdb/api/v1.0/…, /composes/…, /mirror/…\n");
    })().catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain" });
      res.end(`sandbox: ${error.message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    web.once("error", reject);
    web.listen(opts.webPort, opts.host, () => resolve());
  });
  const webUrl = `http://${opts.host}:${(web.address() as AddressInfo).port}`;
  return {
    hub,
    resultsdb,
    waiverdb,
    kojiUrl: hub.url,
    kojiTopurl: hub.topurl,
    resultsdbUrl: `${webUrl}/resultsdb`,
    waiverdbApiUrl: `${webUrl}/waiverdb/api/v1.0`,
    waiverdbToken,
    webUrl,
    kojiUser: { name: SANDBOX_KOJI_USER, password },
    close: async () => {
      web.closeAllConnections();
      await Promise.all([hub.close(), new Promise<void>((resolve) => web.close(() => resolve()))]);
    },
  };
}

function readOrCreateSecret(file: string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const secret = randomBytes(18).toString("base64url");
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
