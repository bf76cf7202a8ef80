// The Temporal worker: relengotron's workflows and the activities built from real clients.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleOption } from "@temporalio/worker";
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

export async function createRelengWorker(opts: {
  cfg: Config;
  /** the trigger's activities start pipelines through it */
  client: Client;
  address: string;
  deps: PipelineActivityDeps;
  workflowBundle?: WorkflowBundleOption;
}): Promise<{ worker: Worker; connection: NativeConnection }> {
  installQuietRuntime();
  const connection = await NativeConnection.connect({ address: opts.address });
  const worker = await Worker.create({
    connection,
    namespace: opts.cfg.TEMPORAL_NAMESPACE,
    taskQueue: opts.cfg.TEMPORAL_TASK_QUEUE,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
    activities: {
      ...createPipelineActivities(opts.deps),
      ...createTriggerActivities({ db: opts.deps.db, client: opts.client, releases: opts.deps.releases, cfg: opts.cfg, taskQueue: opts.cfg.TEMPORAL_TASK_QUEUE }),
    },
    ...workerTuning,
  });
  return { worker, connection };
}
