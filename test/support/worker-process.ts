// A relengotron worker in its own process, so a test can kill it the hard way (SIGKILL) mid-build.
// Configured through the environment by the test: see test/integration/pipeline-durability.test.ts.
import { NativeConnection, Worker } from "@temporalio/worker";
import { createPipelineActivities } from "../../src/activities/pipeline.js";
import { KojiClient } from "../../src/clients/koji.js";
import { ResultsDbClient } from "../../src/clients/resultsdb.js";
import { loadConfig, projectRoot } from "../../src/config.js";
import { createDb } from "../../src/db/database.js";
import { ReleaseCatalog } from "../../src/releases/catalog.js";
import { installQuietRuntime, workerTuning, workflowsPath } from "../../src/runtime/worker.js";
import { composeStepFor, workerActivityDeps } from "../../src/runtime/wiring.js";
import path from "node:path";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`worker-process: ${name} is not set`);
  return value;
};

installQuietRuntime();
const cfg = loadConfig({});
const connection = await NativeConnection.connect({ address: env("WORKER_TEMPORAL_ADDRESS") });
const worker = await Worker.create({
  connection,
  taskQueue: env("WORKER_TASK_QUEUE"),
  workflowsPath,
  activities: createPipelineActivities(
    workerActivityDeps(cfg, {
      db: createDb(env("WORKER_DATABASE_URL")),
      releases: ReleaseCatalog.load(path.join(projectRoot, "config", "artifacts")),
      systems: {
        koji: new KojiClient({ url: env("WORKER_KOJI_URL"), topurl: env("WORKER_KOJI_TOPURL"), user: "releng", password: env("WORKER_KOJI_PASSWORD") }),
        resultsdb: new ResultsDbClient(env("WORKER_RESULTSDB_URL")),
        composeStep: composeStepFor(cfg, { sandbox: true }),
      },
      notifier: { notify: async () => {} },
      kojiPollMs: 50,
      dirs: { buildsDir: env("WORKER_BUILDS_DIR"), composeRoot: env("WORKER_COMPOSE_ROOT"), mirrorDir: env("WORKER_MIRROR_DIR") },
    }),
  ),
  ...workerTuning,
});
console.log("worker-process: running");
await worker.run();
