// Carries out what the router decided. Each action is idempotent, because a message may be
// delivered more than once: trigger changes are recognised by message id in the trigger workflow,
// composedb writes go by natural key (Build.nvr, Compose.composeId, UpdatesPush.pushKey), and a CI
// result signalled twice only makes a pipeline look at ResultsDB once more.
import { WorkflowNotFoundError, type Client } from "@temporalio/client";
import type { Db } from "../db/database.js";
import { recordUpdatesPush } from "../composedb/updates-push.js";
import { ingestCompose } from "../composedb/ingest.js";
import type { PackageChange } from "../domain/debounce.js";
import { Prisma } from "../generated/prisma/client.js";
import { ReleaseKey } from "../temporal/search-attributes.js";
import { ciResultSignal } from "../workflows/compose-pipeline.js";
import { packageChangesSignal, releaseTrigger, triggerWorkflowId, type ReleaseTriggerInput } from "../workflows/release-trigger.js";
import type { BusAction } from "./router.js";
import { isTransient } from "./errors.js";
import type { PackageBuildFilter } from "./package-builds.js";

export interface ActionDeps {
  client: Client;
  db: Db;
  /** the worker's task queue (trigger workflows, pipelines) */
  taskQueue: string;
  trigger: Omit<ReleaseTriggerInput, "release" | "carried">;
  /** tells RPM builds from image builds, which are no package change */
  packageBuilds: Pick<PackageBuildFilter, "split">;
  /** signal batching: at most this many changes per signal, waiting at most lingerMs for more */
  signalBatch?: { maxChanges?: number; lingerMs?: number };
  log?: (line: string) => void;
}

export interface ActionExecutor {
  execute(action: BusAction): Promise<void>;
}

export function createActionExecutor(deps: ActionDeps): ActionExecutor {
  const signaller = new TriggerSignaller(deps);
  const log = deps.log ?? (() => {});
  return {
    async execute(action) {
      switch (action.kind) {
        case "trigger":
          return signaller.signal(action.release, action.change);
        case "ci-result":
          return signalRunningPipelines(deps.client, action.release, action.result);
        case "updates-push":
          return recordUpdatesPush(deps.db, action.push);
        case "record-build":
          return recordBuild(deps.db, action.build, log);
        case "compose-status":
          return recordComposeStatus(deps.db, action, log);
      }
    },
  };
}

/**
 * Signal-With-Start of `trigger/<release>`, many changes per signal: a message is acknowledged
 * only once the signal carrying it is in the workflow's history, so each waits for its batch.
 */
class TriggerSignaller {
  private readonly queues = new Map<string, { changes: PackageChange[]; waiters: { resolve: () => void; reject: (e: unknown) => void }[]; timer: NodeJS.Timeout | undefined }>();
  private readonly maxChanges: number;
  private readonly lingerMs: number;

  constructor(private readonly deps: ActionDeps) {
    this.maxChanges = deps.signalBatch?.maxChanges ?? 200;
    this.lingerMs = deps.signalBatch?.lingerMs ?? 5;
  }

  signal(release: string, change: PackageChange): Promise<void> {
    let queue = this.queues.get(release);
    if (!queue) this.queues.set(release, (queue = { changes: [], waiters: [], timer: undefined }));
    const done = new Promise<void>((resolve, reject) => queue.waiters.push({ resolve, reject }));
    queue.changes.push(change);
    if (queue.changes.length >= this.maxChanges) this.flush(release);
    else queue.timer ??= setTimeout(() => this.flush(release), this.lingerMs);
    return done;
  }

  private flush(release: string): void {
    const queue = this.queues.get(release);
    if (!queue || queue.changes.length === 0) return;
    this.queues.delete(release);
    clearTimeout(queue.timer);
    this.send(release, queue.changes).then(
      () => queue.waiters.forEach((w) => w.resolve()),
      (error: unknown) => queue.waiters.forEach((w) => w.reject(error)),
    );
  }

  private async send(release: string, changes: PackageChange[]): Promise<void> {
    const { packages, notPackages } = await this.deps.packageBuilds.split(changes);
    for (const { change, types } of notPackages) {
      this.deps.log?.(`bus: ${change.op} of ${change.nvr} in ${change.tag} is not a package change (Koji build type ${types.join(", ") || "none"})`);
    }
    if (packages.length === 0) return;
    await this.deps.client.workflow.signalWithStart(releaseTrigger, {
      workflowId: triggerWorkflowId(release),
      taskQueue: this.deps.taskQueue,
      args: [{ ...this.deps.trigger, release }],
      signal: packageChangesSignal,
      signalArgs: [packages],
      typedSearchAttributes: [{ key: ReleaseKey, value: release }],
    });
  }
}

/** Wakes the pipelines of the release (every running pipeline when the release is unknown). */
async function signalRunningPipelines(client: Client, release: string | undefined, result: { item: string; testcase: string; outcome: string }): Promise<void> {
  const clauses = [`WorkflowType = 'composePipeline'`, `ExecutionStatus = 'Running'`];
  // Quoted: RELEASE is a keyword to Temporal's query parser, which then rejects the bare name.
  if (release) clauses.push(`\`Release\` = '${release.replaceAll("'", "")}'`);
  const signals: Promise<void>[] = [];
  for await (const wf of client.workflow.list({ query: clauses.join(" AND ") })) {
    signals.push(
      client.workflow
        .getHandle(wf.workflowId, wf.runId)
        .signal(ciResultSignal, result)
        .catch((error: unknown) => {
          // Finished between the listing and the signal: it needs no result any more.
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }),
    );
  }
  await Promise.all(signals);
}

async function recordBuild(db: Db, build: Extract<BusAction, { kind: "record-build" }>["build"], log: (line: string) => void): Promise<void> {
  try {
    await db.build.upsert({
      where: { nvr: build.nvr },
      create: build,
      update: build.kojiBuildId === null ? {} : { kojiBuildId: build.kojiBuildId },
    });
  } catch (error) {
    // Another NVR already holds this Koji build id: composedb keeps what it has.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      log(`bus: Koji build ${build.kojiBuildId} (${build.nvr}) is already recorded under another NVR`);
      return;
    }
    throw error;
  }
}

/**
 * Records the status on the compose composedb has; a FINISHED compose whose metadata can be read is
 * ingested (ingestCompose only updates the status of one it already has).
 */
async function recordComposeStatus(db: Db, action: Extract<BusAction, { kind: "compose-status" }>, log: (line: string) => void): Promise<void> {
  if (action.status === "FINISHED" || action.status === "FINISHED_INCOMPLETE") {
    try {
      await ingestCompose(db, action.location, { status: action.status });
      return;
    } catch (error) {
      if (isTransient(error)) throw error;
      log(`bus: compose ${action.composeId} at ${action.location} cannot be ingested (${(error as Error).message}); recording its status only`);
    }
  }
  // Messages may arrive out of order: a late STARTED does not undo a compose's end.
  await db.compose.updateMany({
    where: { composeId: action.composeId, ...(action.status === "STARTED" ? { OR: [{ status: null }, { status: "STARTED" }] } : {}) },
    data: { status: action.status },
  });
}
