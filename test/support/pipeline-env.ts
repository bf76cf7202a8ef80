// Everything a pipeline needs, real and on loopback: Temporal dev server, a fresh database, the
// sandbox Koji hub and ResultsDB, and a worker running the real activities. One per test file.
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import { Worker } from "@temporalio/worker";
import type { Notifier, PipelineActivityDeps } from "../../src/activities/pipeline.js";
import { KojiClient } from "../../src/clients/koji.js";
import { ResultsDbClient } from "../../src/clients/resultsdb.js";
import { loadConfig, projectRoot } from "../../src/config.js";
import { pipelineInput } from "../../src/pipelines/service.js";
import { ReleaseCatalog } from "../../src/releases/catalog.js";
import { KojiHub } from "../../src/sandbox/koji-hub.js";
import { fedoraRawhideSeed } from "../../src/sandbox/koji-seed.js";
import { SandboxResultsDb } from "../../src/sandbox/resultsdb.js";
import { composeStepFor, workerActivityDeps } from "../../src/runtime/wiring.js";
import { installQuietRuntime, relengotronActivities, workerTuning } from "../../src/runtime/worker.js";
import { createTestDatabase, type TestDatabase } from "./db.js";
import { startTemporal, workflowBundle } from "./temporal.js";

export interface PipelineEnv {
  env: TestWorkflowEnvironment;
  database: TestDatabase;
  hub: KojiHub;
  koji: KojiClient;
  resultsdb: SandboxResultsDb;
  resultsdbUrl: string;
  releases: ReleaseCatalog;
  dirs: { root: string; buildsDir: string; composeRoot: string; mirrorDir: string };
  reminders: Parameters<Notifier["notify"]>[0][];
  taskQueue: string;
  deps: PipelineActivityDeps;
  /** a worker over the real activities (the worker's own set); run the test body inside worker.runUntil */
  newWorker(): Promise<Worker>;
  /** a worker running in the background until the returned function stops it */
  startWorker(): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export const KOJI_PASSWORD = "sandbox-test-password";

export async function startPipelineEnv(opts: { taskDurationMs?: number; releasesDir?: string } = {}): Promise<PipelineEnv> {
  installQuietRuntime();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "rt-pipeline-"));
  const dirs = { root, buildsDir: path.join(root, "builds"), composeRoot: path.join(root, "composes"), mirrorDir: path.join(root, "mirror") };
  const [env, database] = await Promise.all([startTemporal(), createTestDatabase()]);
  const hub = await KojiHub.start({
    topDir: path.join(root, "koji"),
    seed: fedoraRawhideSeed,
    users: [{ name: "releng", password: KOJI_PASSWORD }],
    taskDurationMs: opts.taskDurationMs ?? 150,
    log: () => {},
  });
  const resultsdb = new SandboxResultsDb();
  const rdbServer = http.createServer((req, res) => void resultsdb.handle(req, res));
  await new Promise<void>((resolve) => rdbServer.listen(0, "127.0.0.1", () => resolve()));
  const resultsdbUrl = `http://127.0.0.1:${(rdbServer.address() as AddressInfo).port}`;
  const koji = new KojiClient({ url: hub.url, topurl: hub.topurl, user: "releng", password: KOJI_PASSWORD });
  const releases = ReleaseCatalog.load(opts.releasesDir ?? path.join(projectRoot, "config", "artifacts"));
  const reminders: PipelineEnv["reminders"] = [];
  const taskQueue = `test-${path.basename(root)}`;
  const cfg = loadConfig({ TEMPORAL_TASK_QUEUE: taskQueue });
  // The worker's own wiring, with the sandbox's compose step as `up` has it.
  const deps: PipelineActivityDeps = workerActivityDeps(cfg, {
    db: database.db,
    releases,
    systems: { koji, resultsdb: new ResultsDbClient(resultsdbUrl), composeStep: composeStepFor(cfg, { sandbox: true }) },
    notifier: { notify: async (event) => void reminders.push(event) },
    kojiPollMs: 50,
    dirs,
  });
  const newWorker = async () =>
    Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: relengotronActivities(cfg, env.client, deps),
      ...workerTuning,
    });
  return {
    env,
    database,
    hub,
    koji,
    resultsdb,
    resultsdbUrl,
    releases,
    dirs,
    reminders,
    taskQueue,
    deps,
    newWorker,
    startWorker: async () => {
      const worker = await newWorker();
      const running = worker.run();
      return async () => {
        worker.shutdown();
        await running;
      };
    },
    close: async () => {
      await hub.close();
      await new Promise<void>((resolve) => rdbServer.close(() => resolve()));
      await database.drop();
      await env.teardown();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The workflow input a pipeline gets from the API, with test-sized sign-off timers. */
export function testPipelineInput(composeId: string, overrides: { remindAfterSeconds?: number; expireAfterSeconds?: number; artifacts?: string[]; force?: string[] } = {}) {
  const cfg = loadConfig({
    RELENGOTRON_SIGNOFF_REMIND_AFTER: String(overrides.remindAfterSeconds ?? 3600),
    RELENGOTRON_SIGNOFF_EXPIRE_AFTER: String(overrides.expireAfterSeconds ?? 7200),
  });
  return pipelineInput(cfg, { release: "Fedora-Rawhide", trigger: "manual", artifacts: overrides.artifacts, force: overrides.force }, composeId);
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
