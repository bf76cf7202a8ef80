// The nightly safety net: a Temporal Schedule per release (src/temporal/schedules.ts) runs this
// workflow, which starts an ordinary pipeline over every artifact. The pipeline plans as usual, so
// an unchanged release rebuilds nothing; a change the bus never reported is caught here.
import { proxyActivities, upsertSearchAttributes, workflowInfo } from "@temporalio/workflow";
import type { TriggerActivities } from "../activities/trigger.js";
import { ReleaseKey } from "../temporal/search-attributes.js";

export interface NightlyInput {
  release: string;
}

const acts = proxyActivities<TriggerActivities>({
  startToCloseTimeout: "2 minutes",
  retry: { initialInterval: "1s", maximumInterval: "1 minute", maximumAttempts: 30 },
});

export async function nightlyPipeline(input: NightlyInput): Promise<{ workflowId: string; composeId: string }> {
  const info = workflowInfo();
  upsertSearchAttributes([{ key: ReleaseKey, value: input.release }]);
  // A schedule names each run's workflow id after its scheduled time, so this key is one per night.
  return acts.startTriggeredPipeline({ release: input.release, trigger: "nightly", artifacts: [], key: `${info.workflowId}/${info.firstExecutionRunId}` });
}
