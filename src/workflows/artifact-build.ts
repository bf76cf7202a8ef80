// One artifact rebuilt through Koji: submit once, wait (heartbeating, cancellable), collect outputs.
import { ActivityCancellationType, ActivityFailure, CancellationScope, isCancellation, proxyActivities } from "@temporalio/workflow";
import type { PipelineActivities } from "../activities/pipeline.js";
import type { ArtifactOutput } from "../domain/pipeline.js";

export interface ArtifactBuildInput {
  pipelineId: string;
  release: string;
  composeId: string;
  artifact: string;
  snapshotId: number;
}

export type ArtifactBuildResult =
  | { artifact: string; ok: true; kojiTaskId: number | null; outputs: ArtifactOutput[]; fingerprint: string }
  | { artifact: string; ok: false; kojiTaskId: number | null; error: string };

const submit = proxyActivities<PipelineActivities>({
  // One Koji call and two row writes: a lost worker is noticed within the minute.
  startToCloseTimeout: "1 minute",
  retry: { maximumAttempts: 10, initialInterval: "2s" },
});

const wait = proxyActivities<PipelineActivities>({
  // Image builds take hours on real Koji; the heartbeat is what detects a lost worker.
  startToCloseTimeout: "12 hours",
  heartbeatTimeout: "20 seconds",
  // A cancelled pipeline waits until the activity has cancelled the Koji task.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: "5s", maximumInterval: "1 minute" },
});

const collect = proxyActivities<PipelineActivities>({
  startToCloseTimeout: "30 minutes",
  heartbeatTimeout: "1 minute",
  retry: { maximumAttempts: 10, initialInterval: "2s" },
});

export async function artifactBuild(input: ArtifactBuildInput): Promise<ArtifactBuildResult> {
  const { artifact } = input;
  const { kojiTaskId } = await submit.submitArtifactBuild(input);
  try {
    if (kojiTaskId !== null) {
      const task = await wait.waitForKojiTask({ ...input, kojiTaskId });
      if (task.state !== "CLOSED") {
        const error = task.error ?? `Koji task ${kojiTaskId} ended ${task.state}`;
        await collect.recordArtifactBuildFailure({ ...input, error });
        return { artifact, ok: false, kojiTaskId, error };
      }
    }
    const collected = await collect.collectArtifactOutputs({ ...input, kojiTaskId });
    return { artifact, ok: true, kojiTaskId, outputs: collected.outputs, fingerprint: collected.fingerprint };
  } catch (error) {
    if (isCancellation(error)) {
      // The Koji task is cancelled by waitForKojiTask itself; the record must still say so.
      await CancellationScope.nonCancellable(() => collect.recordArtifactBuildFailure({ ...input, error: "cancelled", canceled: true }));
      throw error;
    }
    const message = error instanceof ActivityFailure && error.cause ? error.cause.message : String(error);
    await collect.recordArtifactBuildFailure({ ...input, error: message });
    return { artifact, ok: false, kojiTaskId, error: message };
  }
}
