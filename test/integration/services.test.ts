// The production deployment's services as separate processes — `relengotron worker`, `relengotron
// api` and `relengotron bus` — against the real Temporal dev server, a PostgreSQL database, the
// machine's RabbitMQ, and a Koji hub and ResultsDB they know only by URL (the sandbox's, started
// here, standing in for remote ones: no sandbox object is passed to them). A tag message published
// with the real fedora-messaging library starts a pipeline through the bus and the trigger; it is
// signed off through the API and published to the mirror. Every process stops on SIGTERM.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import amqp from "amqplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { hashFile } from "../../src/activities/file-digest.js";
import { projectRoot } from "../../src/config.js";
import { freePort } from "../../src/net/free-port.js";
import { KojiHub, type KojiHubEvent } from "../../src/sandbox/koji-hub.js";
import { fedoraRawhideSeed } from "../../src/sandbox/koji-seed.js";
import { SandboxResultsDb } from "../../src/sandbox/resultsdb.js";
import { nightlyScheduleId } from "../../src/temporal/schedules.js";
import { AMQP_URL, deleteQueues, publishWithPython, requireRabbitMq, testQueueName, testTopicPrefix, writeFedoraMessagingConf } from "../support/bus-env.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { eventually } from "../support/pipeline-env.js";
import { startTemporal } from "../support/temporal.js";

const execFileAsync = promisify(execFile);
const RELEASE = "Fedora-Rawhide";
const KOJI_PASSWORD = "services-test-password";
/** The sandbox release without its compose-step artifact, which no configured step can make. */
const BUILT = ["Cloud-Base-Generic", "Container-Base", "Workstation-Live", "Xfce-Live"];
const MAIN = path.join(projectRoot, "src", "cli", "main.ts");

interface Service {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `relengotron <args>` in a process of its own, as a deployment runs it. */
function relengotron(name: string, args: string[], env: NodeJS.ProcessEnv): Service {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { name, child, output: () => output, exited };
}

/** Processes whose environment carries `marker` (this test's data folder). */
function processesWith(marker: string): string[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .flatMap((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/environ`, "utf8").includes(marker) ? [`${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ")}`] : [];
      } catch {
        return [];
      }
    });
}

/** How many consumers the broker sees on a queue (the queue not existing yet: undefined). */
async function consumersOf(queue: string): Promise<number | undefined> {
  const connection = await amqp.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    channel.on("error", () => {});
    return (await channel.checkQueue(queue)).consumerCount;
  } catch {
    return undefined;
  } finally {
    await connection.close().catch(() => {});
  }
}

/** The release definitions with `drop` removed from the artifacts, written under `dir`. */
function releasesWithout(dir: string, drop: string[]): string {
  const def = parse(fs.readFileSync(path.join(projectRoot, "config", "artifacts", "fedora-rawhide.yaml"), "utf8")) as { artifacts: { name: string }[] };
  def.artifacts = def.artifacts.filter((a) => !drop.includes(a.name));
  const out = path.join(dir, "artifacts");
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, "fedora-rawhide.yaml"), stringify(def));
  return out;
}

describe("relengotron worker, api and bus as separate processes", () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let hub: KojiHub;
  let rdbServer: http.Server;
  let dir: string;
  let childEnv: NodeJS.ProcessEnv;
  let apiUrl: string;
  let conf: string;
  const services: Service[] = [];
  const queue = testQueueName(import.meta.url);
  const prefix = testTopicPrefix();
  const taskQueue = `services-${randomBytes(4).toString("hex")}`;
  // The nightly fires twelve hours from now: never during this test.
  const nightlyHour = (new Date().getUTCHours() + 12) % 24;

  beforeAll(async () => {
    await requireRabbitMq();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-services-"));
    [env, database] = await Promise.all([startTemporal(), createTestDatabase()]);
    hub = await KojiHub.start({ topDir: path.join(dir, "koji"), seed: fedoraRawhideSeed, users: [{ name: "releng", password: KOJI_PASSWORD }], taskDurationMs: 150, log: () => {} });
    const resultsdb = new SandboxResultsDb();
    rdbServer = http.createServer((req, res) => void resultsdb.handle(req, res));
    await new Promise<void>((resolve) => rdbServer.listen(0, "127.0.0.1", () => resolve()));
    conf = writeFedoraMessagingConf(dir, { topicPrefix: prefix });
    apiUrl = `http://127.0.0.1:${await freePort()}`;

    // Only what a deployment configures: nothing inherited that would point elsewhere.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(RELENGOTRON_|KOJI_|AMQP_|TEMPORAL_|RESULTSDB_|DATABASE_URL$)/.test(k)));
    childEnv = {
      ...inherited,
      RELENGOTRON_DATA_DIR: path.join(dir, "data"),
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: "default",
      TEMPORAL_TASK_QUEUE: taskQueue,
      KOJI_URL: hub.url,
      KOJI_TOPURL: hub.topurl,
      KOJI_USER: "releng",
      KOJI_PASSWORD,
      RESULTSDB_URL: `http://127.0.0.1:${(rdbServer.address() as AddressInfo).port}`,
      AMQP_URL,
      RELENGOTRON_AMQP_QUEUE: queue,
      RELENGOTRON_TOPIC_PREFIX: prefix,
      RELENGOTRON_TRIGGER_QUIET_SECONDS: "1",
      RELENGOTRON_TRIGGER_MAX_WAIT_SECONDS: "10",
      RELENGOTRON_NIGHTLY_CRON: `0 ${nightlyHour} * * *`,
      RELENGOTRON_KOJI_POLL_MS: "100",
      RELENGOTRON_API_HOST: "127.0.0.1",
      RELENGOTRON_API_PORT: new URL(apiUrl).port,
      RELENGOTRON_API_TOKENS_FILE: path.join(dir, "api-tokens"),
      RELENGOTRON_MIRROR_DIR: path.join(dir, "mirror"),
      RELENGOTRON_COMPOSE_ROOT: path.join(dir, "composes"),
      RELENGOTRON_ARTIFACTS_DIR: releasesWithout(dir, ["Server-boot"]),
    };
  }, 180_000);

  afterAll(async () => {
    for (const s of services) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
    if (dir) for (const line of processesWith(dir)) process.kill(Number(line.split(":")[0]), "SIGKILL");
    await deleteQueues([queue]).catch(() => {});
    await hub?.close();
    if (rdbServer) await new Promise<void>((resolve) => rdbServer.close(() => resolve()));
    await database?.drop();
    await env?.teardown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the worker refuses, at start and naming it, an artifact of build.kind compose when no compose step is configured", async () => {
    const refused = relengotron("worker (sandbox release)", ["worker"], { ...childEnv, RELENGOTRON_ARTIFACTS_DIR: path.join(projectRoot, "config", "artifacts") });
    services.push(refused);
    const { code } = await refused.exited;
    expect(code, refused.output()).toBe(1);
    expect(refused.output()).toContain("Fedora-Rawhide/Server-boot: build.kind compose is made by the compose step");
    expect(refused.output()).toContain(path.join(projectRoot, "config", "artifacts"));
    // It stopped before anything: no schedule was created.
    await expect(env.client.schedule.getHandle(nightlyScheduleId(RELEASE)).describe()).rejects.toThrow();
  }, 120_000);

  it("a tag message on the bus starts a pipeline, signed off through the API and published; the nightly schedule exists; SIGTERM stops each service", async () => {
    // A release engineer's token, made as the README says, before the API reads the file.
    const { stdout: token } = await execFileAsync(process.execPath, ["--import", "tsx", MAIN, "token", "releng", "--roles", "signoff,trigger"], { cwd: projectRoot, env: childEnv });
    expect(token.trim()).toMatch(/^\S{20,}$/);

    const worker = relengotron("worker", ["worker"], childEnv);
    const api = relengotron("api", ["api"], childEnv);
    const bus = relengotron("bus", ["bus"], childEnv);
    services.push(worker, api, bus);
    const alive = (s: Service) => s.exited.then(({ code, signal }) => Promise.reject(new Error(`${s.name} exited (${code ?? signal}):\n${s.output()}`)));
    /** Waits for `check`, failing at once when a service died meanwhile. */
    const until = <T>(check: () => Promise<T | undefined>, what: string, timeoutMs: number) =>
      Promise.race([
        eventually(check, what, timeoutMs).catch((error: Error) => {
          throw new Error(`${error.message}\n${[worker, api, bus].map((s) => `--- ${s.name}:\n${s.output().slice(-4000)}`).join("\n")}`);
        }),
        ...[worker, api, bus].map(alive),
      ]);

    // The worker created the release's nightly schedule when it started.
    const schedule = await until(
      () => env.client.schedule.getHandle(nightlyScheduleId(RELEASE)).describe(),
      "the nightly schedule",
      180_000,
    );
    expect(schedule.action).toMatchObject({ type: "startWorkflow", workflowType: "nightlyPipeline", taskQueue });
    expect(schedule.info.nextActionTimes[0]!.getUTCHours()).toBe(nightlyHour);
    // The API answers, and the bus consumes its queue.
    await until(async () => ((await fetch(`${apiUrl}/healthz`).catch(() => undefined))?.status === 200 ? true : undefined), "the API", 180_000);
    await until(async () => ((await consumersOf(queue)) ? true : undefined), "the bus consuming its queue", 180_000);

    // A packager's build tagged into the compose tag; Koji's message about it, published with the
    // real fedora-messaging library.
    const id = hub.createBuild({ name: "relengotron-services-test", version: "1.0", release: "1.fc46", rpms: [{ arch: "noarch", size: 10_000, requires: [], provides: [] }] });
    let tagged: KojiHubEvent | undefined;
    const off = hub.on("buildsys.tag", (e) => (tagged = e));
    hub.tagBuild("f46", id);
    off();
    expect(tagged?.body).toMatchObject({ tag: "f46", name: "relengotron-services-test" });
    const published = await publishWithPython(conf, [{ schema: "koji_fedoramessaging.tag.TagV1", body: tagged!.body }]);
    expect(published).toHaveLength(1);

    // The trigger starts a pipeline; nothing was ever built, so every artifact is a candidate.
    const run = await until(async () => (await database.db.pipelineRun.findFirst({ where: { release: RELEASE, trigger: "bus" } })) ?? undefined, "a pipeline started by the bus", 180_000);
    expect([...run.artifacts].sort()).toEqual(BUILT);
    const headers = { Authorization: `Bearer ${token.trim()}`, "Content-Type": "application/json" };
    const stageIs = (stage: string, timeoutMs: number) =>
      until(
        async () => {
          const view = (await (await fetch(`${apiUrl}/api/v1/pipelines/${run.workflowId}`)).json()) as { stage: string; error?: string; plan: { artifact: string; action: string }[] };
          if (view.stage === "failed") throw new Error(`pipeline failed: ${view.error}`);
          if (view.stage !== stage) throw new Error(`at ${view.stage}: ${JSON.stringify(view).slice(0, 3000)}`);
          return view;
        },
        `${run.workflowId} at ${stage}`,
        timeoutMs,
      );
    const waiting = await stageIs("awaiting-signoff", 300_000);
    expect(waiting.plan.map((e) => [e.artifact, e.action]).sort()).toEqual(BUILT.map((a) => [a, "rebuild"]));

    // Signed off through the API, published to the mirror.
    const signoff = await fetch(`${apiUrl}/api/v1/pipelines/${run.workflowId}/signoff`, { method: "POST", headers, body: JSON.stringify({ decision: "approve", comment: "services test" }) });
    expect(signoff.status, await signoff.clone().text()).toBe(200);
    await stageIs("published", 120_000);
    const latest = path.join(childEnv.RELENGOTRON_MIRROR_DIR!, RELEASE, "latest");
    const manifest = JSON.parse(fs.readFileSync(path.join(latest, "PUBLISHED.json"), "utf8")) as { composeId: string; artifacts: { artifact: string }[]; files: { path: string; sha256: string }[] };
    expect(manifest.composeId).toBe(run.composeId);
    expect(manifest.artifacts.map((a) => a.artifact).sort()).toEqual(BUILT);
    expect(manifest.files.length).toBeGreaterThan(0);
    for (const f of manifest.files) expect(await hashFile(path.join(latest, f.path)), f.path).toBe(f.sha256);
    const audit = await database.db.signoffAudit.findMany({ where: { pipelineId: run.workflowId } });
    expect(audit).toEqual([expect.objectContaining({ actor: "releng", decision: "approve", accepted: true })]);

    // Each service stops on SIGTERM, by itself and cleanly; nothing is left running.
    for (const s of [bus, api, worker]) {
      s.child.kill("SIGTERM");
      expect(await s.exited, `${s.name}:\n${s.output()}`).toEqual({ code: 0, signal: null });
    }
    expect(processesWith(dir)).toEqual([]);
    expect(await consumersOf(queue)).toBe(0);
  }, 600_000);
});
