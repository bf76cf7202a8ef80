// One long-running workflow per release (id `trigger/<release>`): the bus consumer signals it with
// changes to the release's compose tag (Signal-With-Start). It debounces them, maps the changed
// packages to the artifacts that contain them and starts a compose pipeline for those artifacts
// only. A message delivered twice is recognised by its id; history stays bounded by continuing
// as new with the debounce state carried over.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from "@temporalio/workflow";
import type { TriggerActivities } from "../activities/trigger.js";
import { Debouncer, packageChangeSchema, type DebounceSnapshot, type PackageChange } from "../domain/debounce.js";
import { ReleaseKey } from "../temporal/search-attributes.js";

/** Changes from the bus, in the order the consumer batched them. */
export const packageChangesSignal = defineSignal<[PackageChange[]]>("packageChanges");
export const triggerQuery = defineQuery<TriggerView>("trigger");

export interface ReleaseTriggerInput {
  release: string;
  quietSeconds: number;
  maxWaitSeconds: number;
  /** continue as new once history has this many events (Temporal also suggests it on its own) */
  historyLimit?: number;
  /** carried across continue-as-new */
  carried?: TriggerCarry;
}

export interface TriggerBatch {
  batch: number;
  packages: string[];
  changes: number;
  artifacts: string[];
  /** the pipeline started for it; absent when the changes affect no artifact */
  pipeline?: { workflowId: string; composeId: string };
  /** workflow time the batch fired */
  firedAt: string;
}

export interface TriggerCarry {
  debounce: DebounceSnapshot;
  batches: number;
  received: number;
  duplicates: number;
  /** the most recent batches (bounded) */
  recent: TriggerBatch[];
}

export interface TriggerView {
  release: string;
  pending: number;
  pendingPackages: string[];
  /** when the pending batch fires if nothing else arrives (ISO), or null */
  firesAt: string | null;
  received: number;
  duplicates: number;
  batches: number;
  recent: TriggerBatch[];
}

export function triggerWorkflowId(release: string): string {
  return `trigger/${release}`;
}

const RECENT = 20;
/** Signals carry up to a few hundred changes each: bound the history by size too. */
const MAX_HISTORY_BYTES = 8 * 1024 * 1024;

const acts = proxyActivities<TriggerActivities>({
  startToCloseTimeout: "2 minutes",
  retry: { initialInterval: "1s", maximumInterval: "30s" },
});

export async function releaseTrigger(input: ReleaseTriggerInput): Promise<never> {
  const info = workflowInfo();
  const debouncer = new Debouncer(
    { quietMs: input.quietSeconds * 1000, maxWaitMs: input.maxWaitSeconds * 1000, seenLimit: 10_000 },
    input.carried?.debounce,
  );
  const carry = {
    batches: input.carried?.batches ?? 0,
    received: input.carried?.received ?? 0,
    duplicates: input.carried?.duplicates ?? 0,
    recent: [...(input.carried?.recent ?? [])],
  };
  upsertSearchAttributes([{ key: ReleaseKey, value: input.release }]);

  setHandler(packageChangesSignal, (changes) => {
    for (const raw of changes) {
      // A signal is a boundary: anything malformed is skipped rather than failing the workflow task.
      const parsed = packageChangeSchema.safeParse(raw);
      if (!parsed.success) continue;
      carry.received++;
      if (!debouncer.add(parsed.data, Date.now())) carry.duplicates++;
    }
  });
  setHandler(triggerQuery, (): TriggerView => {
    const decision = debouncer.decide(Date.now());
    return {
      release: input.release,
      pending: debouncer.pendingCount,
      pendingPackages: debouncer.pendingPackages,
      firesAt: decision.kind === "wait" ? new Date(decision.until).toISOString() : null,
      received: carry.received,
      duplicates: carry.duplicates,
      batches: carry.batches,
      recent: carry.recent,
    };
  });

  // Never so low that a fresh run (a handful of events) would continue as new at once.
  const historyLimit = Math.max(20, input.historyLimit ?? 10_000);
  const mustContinueAsNew = () => {
    const current = workflowInfo();
    return current.continueAsNewSuggested || current.historyLength >= historyLimit || current.historySize >= MAX_HISTORY_BYTES;
  };
  for (;;) {
    const decision = debouncer.decide(Date.now());
    if (decision.kind === "fire") {
      const batch = debouncer.take();
      const number = ++carry.batches;
      const affected = await acts.affectedArtifacts({ release: input.release, packages: batch.packages });
      let pipeline: TriggerBatch["pipeline"];
      if (affected.artifacts.length > 0) {
        pipeline = await acts.startTriggeredPipeline({
          release: input.release,
          trigger: "bus",
          artifacts: affected.artifacts,
          // The same for every attempt of this batch, and never reused by another batch or chain.
          key: `${info.workflowId}/${info.firstExecutionRunId}/${number}`,
        });
      }
      carry.recent = [
        ...carry.recent,
        { batch: number, packages: batch.packages, changes: batch.changes, artifacts: affected.artifacts, pipeline, firedAt: new Date().toISOString() },
      ].slice(-RECENT);
      continue;
    }
    if (mustContinueAsNew()) {
      // Signals that arrive meanwhile make the server reject this completion, so none is lost.
      await condition(allHandlersFinished);
      await continueAsNew<typeof releaseTrigger>({ ...input, carried: { ...carry, debounce: debouncer.snapshot() } });
    }
    // One timer per quiet period, not one per message: the loop recomputes the deadline when it
    // fires. A flood of signals meanwhile wakes it early only to continue as new.
    if (decision.kind === "idle") await condition(() => debouncer.pendingCount > 0 || mustContinueAsNew());
    else await condition(mustContinueAsNew, Math.max(1, decision.until - Date.now()));
  }
}
