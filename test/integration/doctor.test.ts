// `relengotron doctor` as a deployment runs it (a child process configured by environment
// variables) against a healthy setup — a test database, the real Temporal dev server with our
// search attributes, the machine's RabbitMQ, a sandbox Koji hub and ResultsDB known only by URL —
// where every line is ok, and against broken ones, where each problem is named.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import amqp from "amqplib";
import pg from "pg";
import { inject, afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/config.js";
import { LEDGER, listMigrations } from "../../src/db/migrate.js";
import { freePort } from "../../src/net/free-port.js";
import { KojiHub } from "../../src/sandbox/koji-hub.js";
import { fedoraRawhideSeed } from "../../src/sandbox/koji-seed.js";
import { SandboxResultsDb } from "../../src/sandbox/resultsdb.js";
import { PipelineStageKey, searchAttributeKeys } from "../../src/temporal/search-attributes.js";
import { AMQP_URL, deleteQueues, requireRabbitMq, testQueueName } from "../support/bus-env.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { startPrivateRabbitMq, type PrivateRabbitMq } from "../support/private-rabbitmq.js";
import { startTemporal } from "../support/temporal.js";
import { makeTestPki, type TestPki } from "../support/tls-certs.js";

const MAIN = path.join(projectRoot, "src", "cli", "main.ts");
const KOJI_PASSWORD = "doctor-test-password";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `relengotron doctor [args]` in its own process, with only the environment given. */
function doctor(env: NodeJS.ProcessEnv, args: string[] = []): Promise<Run> {
  return doctorWith(env, "15", args);
}

function doctorWith(env: NodeJS.ProcessEnv, timeoutSeconds: string, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", MAIN, "doctor", "--timeout", timeoutSeconds, ...args], { cwd: projectRoot, env, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("relengotron doctor", () => {
  let temporal: TestWorkflowEnvironment;
  let temporalMissing: TestWorkflowEnvironment;
  let database: TestDatabase;
  let unmigrated: TestDatabase;
  let hub: KojiHub;
  let rdbServer: http.Server;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const queue = testQueueName(import.meta.url);

  beforeAll(async () => {
    await requireRabbitMq();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-doctor-"));
    [temporal, temporalMissing, database, unmigrated] = await Promise.all([
      startTemporal(),
      // A dev server started without the PipelineStage search attribute.
      TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: "existing-path", path: inject("temporalCli") },
          searchAttributes: searchAttributeKeys.filter((k) => k.name !== PipelineStageKey.name),
          log: { format: "pretty", level: "error" },
        },
      }),
      createTestDatabase(),
      createTestDatabase(),
    ]);
    hub = await KojiHub.start({ topDir: path.join(dir, "koji"), seed: fedoraRawhideSeed, users: [{ name: "releng", password: KOJI_PASSWORD }], taskDurationMs: 150, log: () => {} });
    const resultsdb = new SandboxResultsDb();
    rdbServer = http.createServer((req, res) => void resultsdb.handle(req, res));
    await new Promise<void>((resolve) => rdbServer.listen(0, "127.0.0.1", () => resolve()));
    // The bus's queue, declared as the bus declares it, so doctor checks its binding.
    const connection = await amqp.connect(AMQP_URL);
    await (await connection.createChannel()).assertQueue(queue, { durable: true, autoDelete: false, exclusive: false });
    await connection.close();

    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(RELENGOTRON_|KOJI_|AMQP_|TEMPORAL_|RESULTSDB_|DATABASE_URL$)/.test(k)));
    env = {
      ...inherited,
      RELENGOTRON_DATA_DIR: path.join(dir, "data"),
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: "default",
      KOJI_URL: hub.url,
      KOJI_TOPURL: hub.topurl,
      KOJI_USER: "releng",
      KOJI_PASSWORD,
      RESULTSDB_URL: `http://127.0.0.1:${(rdbServer.address() as AddressInfo).port}`,
      AMQP_URL,
      RELENGOTRON_AMQP_QUEUE: queue,
      RELENGOTRON_MIRROR_DIR: path.join(dir, "mirror"),
      RELENGOTRON_COMPOSE_ROOT: path.join(dir, "composes"),
    };
  }, 180_000);

  afterAll(async () => {
    await deleteQueues([queue]).catch(() => {});
    await hub?.close();
    if (rdbServer) await new Promise<void>((resolve) => rdbServer.close(() => resolve()));
    await database?.drop();
    await unmigrated?.drop();
    await temporal?.teardown();
    await temporalMissing?.teardown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a healthy deployment: every line ok, exit 0; --json says the same", async () => {
    const run = await doctor(env);
    const lines = run.stdout.trim().split("\n");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(lines.filter((l) => !l.startsWith("ok ")), run.stdout).toEqual([]);
    for (const what of [
      "configuration parses",
      `database ${database.url.replace(/:[^:@/]+@/, ":***@")} reachable`,
      "database migrations",
      `temporal ${temporal.address} reachable`,
      "temporal namespace default",
      ...searchAttributeKeys.map((k) => `temporal search attribute ${k.name}`),
      `koji ${hub.url} reachable`,
      "koji login (password) (as releng)",
      `koji topurl ${hub.topurl}`,
      `resultsdb ${env.RESULTSDB_URL}`,
      "broker amqp://guest:***@127.0.0.1:5672 reachable",
      `broker queue ${queue} bound`,
      "release definitions",
      `mirror dir ${env.RELENGOTRON_MIRROR_DIR} writable`,
      `compose dir ${env.RELENGOTRON_COMPOSE_ROOT} writable`,
    ]) {
      expect(lines.some((l) => l.startsWith(`ok ${what}`)), `${what} in\n${run.stdout}`).toBe(true);
    }
    // The probe files are gone.
    expect(fs.readdirSync(env.RELENGOTRON_MIRROR_DIR!)).toEqual([]);

    const json = await doctor(env, ["--json"]);
    expect(json.code, json.stdout + json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { ok: boolean; failed: number; checks: { status: string }[] };
    expect(report.ok).toBe(true);
    expect(report.failed).toBe(0);
    expect(report.checks.length).toBe(lines.length);
  }, 240_000);

  it("a broken one: a wrong database password, a missing search attribute, a dead Koji, an unwritable mirror dir are each named; exit 1", async () => {
    const wrongPassword = new URL(database.url);
    wrongPassword.password = "not-the-password";
    const deadKoji = `http://127.0.0.1:${await freePort()}/kojihub`;
    const file = path.join(dir, "a-regular-file");
    fs.writeFileSync(file, "");
    const run = await doctor({
      ...env,
      DATABASE_URL: wrongPassword.toString(),
      TEMPORAL_ADDRESS: temporalMissing.address,
      KOJI_URL: deadKoji,
      RELENGOTRON_MIRROR_DIR: path.join(file, "mirror"),
    });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const failures = run.stdout.split("\n").filter((l) => l.startsWith("FAIL "));
    expect(failures.some((l) => l.startsWith(`FAIL database ${wrongPassword.toString().replace(/:[^:@/]+@/, ":***@")}: cannot connect: password authentication failed`)), run.stdout).toBe(true);
    expect(failures, run.stdout).toContain(
      "FAIL temporal search attribute PipelineStage: not registered in namespace default (want KEYWORD: temporal operator search-attribute create --name PipelineStage --type Keyword)",
    );
    expect(failures.some((l) => l.startsWith(`FAIL koji ${deadKoji}: hello/getAPIVersion: `)), run.stdout).toBe(true);
    expect(failures, run.stdout).toContain(`FAIL mirror dir ${path.join(file, "mirror")}: not writable: a path component is not a directory (ENOTDIR: not a directory, mkdir '${path.join(file, "mirror")}')`);
    expect(failures.length, run.stdout).toBe(4);
    // The password is not printed.
    expect(run.stdout + run.stderr).not.toContain("not-the-password");
    // The other search attributes are still ok.
    expect(run.stdout).toContain("ok temporal search attribute Release (KEYWORD)");
  }, 240_000);

  it("a database with a committed migration not applied: the migration is named", async () => {
    const last = listMigrations().at(-1)!.name;
    const client = new pg.Client({ connectionString: unmigrated.url });
    await client.connect();
    await client.query(`DELETE FROM "${LEDGER}" WHERE name = $1`, [last]);
    await client.end();
    const run = await doctor({ ...env, DATABASE_URL: unmigrated.url });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain(`FAIL database migrations: not applied: ${last} (run relengotron migrate)`);
    expect(run.stdout.split("\n").filter((l) => l.startsWith("FAIL "))).toHaveLength(1);
  }, 240_000);

  it("an unparsable configuration is one FAIL line per problem, nothing else checked", async () => {
    const run = await doctor({ ...env, TEMPORAL_ADDRESS: "not an address", KOJI_AUTH: "password", KOJI_USER: "" , KOJI_PASSWORD: "" });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const lines = run.stdout.trim().split("\n");
    expect(lines.every((l) => l.startsWith("FAIL configuration: ")), run.stdout).toBe(true);
    expect(lines.some((l) => l.startsWith("FAIL configuration: TEMPORAL_ADDRESS: expected host:port")), run.stdout).toBe(true);
    expect(lines.some((l) => l.startsWith("FAIL configuration: KOJI_USER: required with KOJI_AUTH=password")), run.stdout).toBe(true);
  }, 120_000);

  it("peers that accept a connection and never answer: each is a FAIL line within the timeout, not a hang", async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
    const at = `127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const started = Date.now();
      const run = await doctorWith({ ...env, DATABASE_URL: `postgres://u:p@${at}/db`, TEMPORAL_ADDRESS: at, KOJI_URL: `http://${at}/kojihub`, KOJI_TOPURL: `http://${at}/`, RESULTSDB_URL: `http://${at}`, AMQP_URL: `amqp://guest:guest@${at}` }, "3");
      expect(Date.now() - started, run.stdout).toBeLessThan(60_000);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      const failed = run.stdout.split("\n").filter((l) => l.startsWith("FAIL ")).map((l) => l.split(" ")[1]);
      expect(failed, run.stdout).toEqual(["database", "temporal", "koji", "koji", "resultsdb", "broker"]);
    } finally {
      silent.close();
    }
  }, 120_000);

  describe("the broker over TLS (Fedora's: client certificate, SASL EXTERNAL)", () => {
    const USER = "relengotron-doctor";
    let pki: TestPki;
    let rabbit: PrivateRabbitMq;
    let tlsEnv: NodeJS.ProcessEnv;

    beforeAll(async () => {
      // the broker runs as user rabbitmq and reads its certificate and key from here
      fs.chmodSync(dir, 0o755);
      pki = await makeTestPki(path.join(dir, "pki"), { serverNames: ["DNS:localhost"], clients: [USER] });
      rabbit = await startPrivateRabbitMq({ tls: { caCert: pki.ca.cert, cert: pki.server.cert, key: pki.server.key } });
      await rabbit.ctl(["add_user", USER, randomBytes(12).toString("hex")]);
      await rabbit.ctl(["set_permissions", "-p", "/", USER, ".*", ".*", ".*"]);
      tlsEnv = { ...env, AMQP_URL: `amqps://localhost:${rabbit.tlsPort}`, AMQP_CA_CERT: pki.ca.cert, AMQP_CERT: pki.clients[USER]!.cert, AMQP_KEY: pki.clients[USER]!.key };
    }, 180_000);

    afterAll(async () => {
      await rabbit?.destroy();
    });

    it("the right CA and client certificate: the TLS handshake and the EXTERNAL login are ok", async () => {
      const run = await doctor(tlsEnv);
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toContain("ok broker TLS files (AMQP_CA_CERT, AMQP_CERT, AMQP_KEY)");
      expect(run.stdout).toContain(`ok broker amqps://localhost:${rabbit.tlsPort} reachable (TLS handshake and login)`);
    }, 240_000);

    it("another CA: the broker's certificate is named as not signed by it", async () => {
      const run = await doctor({ ...tlsEnv, AMQP_CA_CERT: pki.otherCa.cert });
      expect(run.code, run.stdout + run.stderr).toBe(1);
      const failures = run.stdout.split("\n").filter((l) => l.startsWith("FAIL "));
      expect(failures, run.stdout).toHaveLength(1);
      expect(failures[0]).toMatch(new RegExp(`^FAIL broker amqps://localhost:${rabbit.tlsPort}: cannot connect: the broker's certificate (chain ends in a CA that AMQP_CA_CERT|is not signed by a CA in AMQP_CA_CERT)`));
    }, 240_000);

    it("no client certificate: the broker's refusal is named", async () => {
      const run = await doctor({ ...tlsEnv, AMQP_CERT: "", AMQP_KEY: "" });
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.stdout, run.stdout).toMatch(new RegExp(`^FAIL broker amqps://localhost:${rabbit.tlsPort}: cannot connect: .*(client certificate|refused)`, "m"));
    }, 240_000);
  });
});
