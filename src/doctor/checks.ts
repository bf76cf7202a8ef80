// `relengotron doctor`: a deployment's configuration checked from the outside. Each check is a small
// function returning lines (ok, FAIL with the exact problem, or skip with why); every one runs under
// a timeout so a dead peer is a FAIL line, not a hang.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Connection } from "@temporalio/client";
import amqp from "amqplib";
import pg from "pg";
import { bindingsFor } from "../bus/messages/index.js";
import { isUuid, UUID_QUEUE } from "../bus/queue-name.js";
import { amqpSocketOptions, explainAmqpError, loadAmqpTls } from "../bus/tls.js";
import { KojiClient } from "../clients/koji.js";
import { ConfigError, type Config } from "../config.js";
import { LEDGER, listMigrations, migrationsDir } from "../db/migrate.js";
import { redactUrl } from "../redact.js";
import { ReleaseCatalog } from "../releases/catalog.js";
import { temporalAddress } from "../temporal/client.js";
import { searchAttributeKeys } from "../temporal/search-attributes.js";

export type DoctorStatus = "ok" | "FAIL" | "skip";
export interface DoctorLine {
  status: DoctorStatus;
  what: string;
  /** the problem (FAIL), why it was skipped (skip), or what was found (ok) */
  detail?: string;
}

const ok = (what: string, detail?: string): DoctorLine => ({ status: "ok", what, ...(detail ? { detail } : {}) });
const fail = (what: string, detail: string): DoctorLine => ({ status: "FAIL", what, detail });
const skip = (what: string, detail: string): DoctorLine => ({ status: "skip", what, detail });

export function formatLine(line: DoctorLine): string {
  if (line.status === "FAIL") return `FAIL ${line.what}: ${line.detail}`;
  return `${line.status} ${line.what}${line.detail ? ` (${line.detail})` : ""}`;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Runs `check`; past `ms` (or on a throw) its answer is one FAIL line for `what`. */
export async function withTimeout(what: string, ms: number, check: () => Promise<DoctorLine[]>): Promise<DoctorLine[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DoctorLine[]>((resolve) => {
    timer = setTimeout(() => resolve([fail(what, `no answer within ${ms / 1000} s`)]), ms);
  });
  try {
    return await Promise.race([check().catch((error: unknown) => [fail(what, message(error))]), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function checkDatabase(cfg: Config, timeoutMs: number): Promise<DoctorLine[]> {
  if (!cfg.DATABASE_URL) return [skip("database", "DATABASE_URL unset: the embedded database under the data folder")];
  const where = redactUrl(cfg.DATABASE_URL);
  const client = new pg.Client({ connectionString: cfg.DATABASE_URL, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    return [fail(`database ${where}`, `cannot connect: ${message(error)}`)];
  }
  try {
    const lines = [ok(`database ${where} reachable`)];
    const committed = listMigrations();
    const exists = await client.query<{ t: string | null }>("SELECT to_regclass($1)::text AS t", [`"${LEDGER}"`]);
    if (!exists.rows[0]?.t) return [...lines, fail("database migrations", `none applied (no ${LEDGER} table); ${committed.length} committed in ${migrationsDir}: run relengotron migrate`)];
    const rows = await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "${LEDGER}"`);
    const applied = new Map(rows.rows.map((r) => [r.name, r.checksum]));
    const problems: string[] = [];
    const missing = committed.filter((m) => !applied.has(m.name)).map((m) => m.name);
    if (missing.length) problems.push(`not applied: ${missing.join(", ")} (run relengotron migrate)`);
    const edited = committed.filter((m) => applied.has(m.name) && applied.get(m.name) !== m.checksum).map((m) => m.name);
    if (edited.length) problems.push(`edited after they were applied (checksum differs): ${edited.join(", ")}`);
    const unknown = [...applied.keys()].filter((name) => !committed.some((m) => m.name === name));
    if (unknown.length) problems.push(`applied but not in ${migrationsDir} (is this checkout older than the database?): ${unknown.join(", ")}`);
    lines.push(problems.length ? fail("database migrations", problems.join("; ")) : ok("database migrations", `all ${committed.length} applied`));
    return lines;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Temporal's IndexedValueType numbers (temporal/api/enums/v1/common.proto). */
const INDEXED_VALUE_TYPES: Record<string, number> = { TEXT: 1, KEYWORD: 2, INT: 3, DOUBLE: 4, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };
const typeName = (n: number | null | undefined) => Object.entries(INDEXED_VALUE_TYPES).find(([, v]) => v === n)?.[0] ?? `type ${n}`;

export async function checkTemporal(cfg: Config, timeoutMs: number): Promise<DoctorLine[]> {
  const address = temporalAddress(cfg);
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, connectTimeout: timeoutMs });
  } catch (error) {
    return [fail(`temporal ${address}`, `cannot connect: ${message(error)}`)];
  }
  try {
    const lines = [ok(`temporal ${address} reachable`)];
    const namespace = cfg.TEMPORAL_NAMESPACE;
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch (error) {
      return [...lines, fail(`temporal namespace ${namespace}`, message(error))];
    }
    lines.push(ok(`temporal namespace ${namespace}`));
    const listed = await connection.operatorService.listSearchAttributes({ namespace });
    const custom = listed.customAttributes ?? {};
    for (const key of searchAttributeKeys) {
      const what = `temporal search attribute ${key.name}`;
      const want = INDEXED_VALUE_TYPES[key.type];
      if (!(key.name in custom)) lines.push(fail(what, `not registered in namespace ${namespace} (want ${key.type}: temporal operator search-attribute create --name ${key.name} --type ${key.type === "KEYWORD_LIST" ? "KeywordList" : "Keyword"})`));
      else if (custom[key.name] !== want) lines.push(fail(what, `registered as ${typeName(custom[key.name])}, relengotron needs ${key.type}`));
      else lines.push(ok(what, key.type));
    }
    return lines;
  } finally {
    await connection.close().catch(() => {});
  }
}

export async function checkKoji(cfg: Config, timeoutMs: number): Promise<DoctorLine[]> {
  if (cfg.useSandbox) return [skip("koji", "KOJI_URL unset: the sandbox hub stands in"), skip("koji login", "the sandbox is in use")];
  const url = cfg.KOJI_URL!;
  const lines: DoctorLine[] = [];
  const anonymous = new KojiClient({ url, timeoutMs });
  try {
    const [hello, version] = await Promise.all([anonymous.hello(), anonymous.getAPIVersion()]);
    lines.push(ok(`koji ${url} reachable`, `${hello}, API version ${version}`));
  } catch (error) {
    return [fail(`koji ${url}`, `hello/getAPIVersion: ${message(error)}`), skip("koji login", "the hub does not answer")];
  }
  const method = cfg.kojiAuth.method;
  if (method === "none") return [...lines, ok("koji login", "KOJI_AUTH none: anonymous reads only")];
  const koji = new KojiClient({ url, auth: cfg.kojiAuth, timeoutMs });
  try {
    await koji.login();
    const user = await koji.getLoggedInUser();
    if (!user) lines.push(fail(`koji login (${method})`, "logged in, but getLoggedInUser answers no user"));
    else lines.push(ok(`koji login (${method})`, `as ${user.name}`));
    await koji.logout().catch(() => {});
  } catch (error) {
    lines.push(fail(`koji login (${method})`, message(error)));
  }
  return lines;
}

/** A plain GET that must be answered (any status below 500). */
async function answers(what: string, url: string, timeoutMs: number, accept: (res: Response) => Promise<string | undefined>): Promise<DoctorLine> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
    const problem = await accept(res);
    return problem ? fail(what, `GET ${url}: ${problem}`) : ok(what, `GET ${url}: ${res.status}`);
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return fail(what, `GET ${url}: ${message(error)}${cause ? ` (${message(cause)})` : ""}`);
  }
}

export async function checkKojiTopurl(cfg: Config, timeoutMs: number): Promise<DoctorLine[]> {
  if (cfg.useSandbox) return [skip("koji topurl", "the sandbox is in use")];
  if (!cfg.KOJI_TOPURL) return [fail("koji topurl", "KOJI_TOPURL unset: the worker downloads images from it")];
  return [await answers(`koji topurl ${cfg.KOJI_TOPURL}`, cfg.KOJI_TOPURL, timeoutMs, async (res) => (res.status >= 500 ? `answered ${res.status}` : undefined))];
}

export async function checkResultsDb(cfg: Config, timeoutMs: number): Promise<DoctorLine[]> {
  if (!cfg.RESULTSDB_URL) return cfg.useSandbox ? [skip("resultsdb", "RESULTSDB_URL unset: the sandbox's ResultsDB stands in")] : [fail("resultsdb", "RESULTSDB_URL unset: the worker's checks read results from it")];
  const url = `${cfg.RESULTSDB_URL.replace(/\/+$/, "")}/api/v2.0/results/latest?item=relengotron-doctor&type=koji_build`;
  return [
    await answers(`resultsdb ${cfg.RESULTSDB_URL}`, url, timeoutMs, async (res) => {
      if (!res.ok) return `answered ${res.status}`;
      try {
        const body = (await res.json()) as { data?: unknown };
        return Array.isArray(body.data) ? undefined : "answered JSON without a data list: is this ResultsDB's base URL?";
      } catch {
        return "answered something that is not JSON: is this ResultsDB's base URL?";
      }
    }),
  ];
}

export async function checkBroker(cfg: Config, timeoutMs: number): Promise<DoctorLine[]> {
  if (!cfg.AMQP_URL) return [skip("broker", "AMQP_URL unset: the sandbox's in-process bus")];
  const where = redactUrl(cfg.AMQP_URL);
  let tls;
  try {
    tls = loadAmqpTls(cfg);
  } catch (error) {
    return [fail("broker TLS files", error instanceof ConfigError ? error.problems.join("; ") : message(error))];
  }
  const lines: DoctorLine[] = [];
  if (tls) lines.push(ok("broker TLS files", [tls.ca && "AMQP_CA_CERT", tls.cert && "AMQP_CERT", tls.key && "AMQP_KEY"].filter(Boolean).join(", ")));
  let connection: Awaited<ReturnType<typeof amqp.connect>>;
  try {
    // The consumer's own connection options (src/bus/consumer.ts), plus a timeout.
    connection = await amqp.connect(cfg.AMQP_URL, { ...amqpSocketOptions(cfg.AMQP_URL, tls, "relengotron doctor"), timeout: timeoutMs });
  } catch (error) {
    return [...lines, fail(`broker ${where}`, `cannot connect: ${explainAmqpError(error)}`)];
  }
  connection.on("error", () => {});
  try {
    lines.push(ok(`broker ${where} reachable`, cfg.AMQP_URL.startsWith("amqps:") ? "TLS handshake and login" : "login"));
    let queue = cfg.RELENGOTRON_AMQP_QUEUE;
    if (queue === UUID_QUEUE) {
      const file = path.join(cfg.dataDir, "amqp-queue");
      const kept = fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim() : undefined;
      if (!kept) return [...lines, skip("broker queue", `RELENGOTRON_AMQP_QUEUE=uuid and ${file} does not exist yet: the bus makes the queue's UUID at its first start`)];
      if (!isUuid(kept)) return [...lines, fail("broker queue", `${file} should hold the queue's UUID, it holds ${JSON.stringify(kept.slice(0, 80))}`)];
      queue = kept;
    }
    // Passive first, each step on its own channel: a refusal closes the channel it happened on.
    const channel = async () => {
      const ch = await connection.createChannel();
      ch.on("error", () => {});
      return ch;
    };
    try {
      await (await channel()).checkExchange("amq.topic");
    } catch (error) {
      return [...lines, fail("broker exchange amq.topic", message(error))];
    }
    // Not declared here: the bus declares and binds it at its first start. An existing one is bound
    // again (idempotent, as the consumer does at every start), which proves the permissions.
    let consumers: number;
    try {
      consumers = (await (await channel()).checkQueue(queue)).consumerCount;
    } catch {
      return [...lines, ok(`broker queue ${queue}`, "not declared yet: the bus declares and binds it at its first start")];
    }
    const bindings = bindingsFor(cfg.RELENGOTRON_TOPIC_PREFIX || undefined);
    try {
      const ch = await channel();
      for (const key of bindings) await ch.bindQueue(queue, "amq.topic", key);
      lines.push(ok(`broker queue ${queue} bound`, `${bindings.length} topics on amq.topic, ${consumers} consumers`));
    } catch (error) {
      lines.push(fail(`broker queue ${queue}`, `cannot bind it to amq.topic: ${message(error)}`));
    }
    return lines;
  } finally {
    await connection.close().catch(() => {});
  }
}

export async function checkReleases(cfg: Config): Promise<DoctorLine[]> {
  const dir = cfg.RELENGOTRON_ARTIFACTS_DIR;
  try {
    const names = ReleaseCatalog.load(dir).names();
    if (names.length === 0) return [fail(`release definitions ${dir}`, "no *.yaml release definitions")];
    return [ok(`release definitions ${dir}`, names.join(", "))];
  } catch (error) {
    return [fail(`release definitions ${dir}`, message(error))];
  }
}

/** Creates (with its parents) and removes a temporary file in `dir`. */
export async function checkWritable(what: string, dir: string): Promise<DoctorLine[]> {
  const probe = path.join(dir, `.relengotron-doctor-${randomBytes(4).toString("hex")}`);
  try {
    await fs.promises.mkdir(dir, { recursive: true });
    await fs.promises.writeFile(probe, "", { flag: "wx" });
    await fs.promises.rm(probe);
    return [ok(`${what} ${dir} writable`)];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOTDIR" ? "a path component is not a directory" : code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EROFS" ? "read-only file system" : undefined;
    return [fail(`${what} ${dir}`, `not writable: ${why ? `${why} (${message(error)})` : message(error)}`)];
  }
}

export async function runDoctor(cfg: Config, timeoutMs: number): Promise<DoctorLine[]> {
  const timed = (what: string, check: () => Promise<DoctorLine[]>) => withTimeout(what, timeoutMs + 2000, check);
  const groups = await Promise.all([
    timed("database", () => checkDatabase(cfg, timeoutMs)),
    timed("temporal", () => checkTemporal(cfg, timeoutMs)),
    timed("koji", () => checkKoji(cfg, timeoutMs)),
    timed("koji topurl", () => checkKojiTopurl(cfg, timeoutMs)),
    timed("resultsdb", () => checkResultsDb(cfg, timeoutMs)),
    timed("broker", () => checkBroker(cfg, timeoutMs)),
    timed("release definitions", () => checkReleases(cfg)),
    timed("mirror dir", () => checkWritable("mirror dir", cfg.mirrorDir)),
    timed("compose dir", () => checkWritable("compose dir", cfg.composeRoot)),
  ]);
  return groups.flat();
}
