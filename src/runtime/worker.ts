// The Temporal worker: relengotron's workflows and the activities built from real clients.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DefaultLogger, NativeConnection, Runtime, Worker } from "@temporalio/worker";
import type { Client } from "@temporalio/client";
import type { Config } from "../config.js";
import { createTriggerActivities } from "../activities/trigger.js";
import { createPipelineActivities, type PipelineActivityDeps } from "../activities/pipeline.js";

/** Heartbeats reach the server at least every few seconds, so a cancellation reaches a waiting activity quickly. */
export const workerTuning = { maxHeartbeatThrottleInterval: "2 seconds" } as const;

export const workflowsPath = fileURLToPath(new URL("../workflows/index.ts", import.meta.url));

let runtimeInstalled = false;
/** Temporal's own logging at warn level: the worker's chatter would bury what matters. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // relengotron stops its workers itself, in order, so the SDK must not react to signals on its own.
  Runtime.install({ logger: new DefaultLogger("WARN"), shutdownSignals: [] });
}

export function pipelineDirs(cfg: Config) {
  return { buildsDir: path.join(cfg.dataDir, "builds"), composeRoot: cfg.composeRoot, mirrorDir: cfg.mirrorDir };
}

/** Every activity the worker registers: the pipeline's, and the trigger's (which start pipelines through `client`). */
export function relengotronActivities(cfg: Config, client: Client, deps: PipelineActivityDeps) {
  return {
    ...createPipelineActivities(deps),
    ...createTriggerActivities({ db: deps.db, client, releases: deps.releases, cfg, taskQueue: cfg.TEMPORAL_TASK_QUEUE }),
  };
}

export async function createRelengWorker(opts: {
  cfg: Config;
  client: Client;
  address: string;
  deps: PipelineActivityDeps;
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  installQuietRuntime();
  const connection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection,
    namespace: opts.cfg.TEMPORAL_NAMESPACE,
    taskQueue: opts.cfg.TEMPORAL_TASK_QUEUE,
    workflowsPath,
    activities: relengotronActivities(opts.cfg, opts.client, opts.deps),
    ...workerTuning,
  });
  return { worker, connection };
}
