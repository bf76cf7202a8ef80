// The compose pipeline: snapshot the tag, plan, rebuild only what changed, assemble and check the
// compose, gate, wait for a release engineer's sign-off, publish.
import {
  ApplicationFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from "@temporalio/workflow";
import type { PipelineActivities } from "../activities/pipeline.js";
import { decideGate } from "../domain/gate.js";
import {
  PipelineState,
  type ArtifactState,
  signoffUpdateSchema,
  type PipelineInput,
  type PipelineStage,
  type PipelineView,
  type SignoffRecord,
  type SignoffUpdate,
} from "../domain/pipeline.js";
import { ArtifactKey, ArtifactsKey, ComposeIdKey, PipelineStageKey, ReleaseKey } from "../temporal/search-attributes.js";
import { artifactBuild, type ArtifactBuildResult } from "./artifact-build.js";

export const pipelineQuery = defineQuery<PipelineView>("pipeline");
export const stageQuery = defineQuery<PipelineStage>("stage");
export const signoffUpdate = defineUpdate<SignoffRecord, [SignoffUpdate]>("signoff");
/** The failure type of a sign-off the pipeline refused and already wrote into the audit trail. */
export const SIGNOFF_REFUSED_AUDITED = "SignoffRefusedAudited";
/** ResultsDB has a new result that may be one this pipeline waits for. */
export const ciResultSignal = defineSignal<[{ item: string; testcase: string; outcome: string }]>("ciResultReported");

export type PipelineResult = Pick<PipelineView, "stage" | "composeId"> & { published: string[] };

const acts = proxyActivities<PipelineActivities>({
  startToCloseTimeout: "30 minutes",
  heartbeatTimeout: "2 minutes",
  retry: { initialInterval: "2s", maximumInterval: "1 minute", maximumAttempts: 20 },
});

export async function composePipeline(input: PipelineInput): Promise<PipelineResult> {
  const pipelineId = workflowInfo().workflowId;
  const state = new PipelineState(input.release, input.composeId);

  let ciReported = false;
  setHandler(ciResultSignal, () => void (ciReported = true));
  setHandler(pipelineQuery, () => state.view());
  setHandler(stageQuery, () => state.stage);
  setHandler(
    signoffUpdate,
    async (update) => {
      const { assertion: _assertion, ...decision } = update;
      // Added with signed sign-offs: a pipeline that received the API's key takes a sign-off only
      // with a valid assertion, and records it (accepted or refused) in the audit trail itself.
      const publicKey = input.signoff.publicKey;
      if (publicKey !== undefined && patched("signoff-assertion")) {
        state.signoffPending = true;
        try {
          const verdict = await acts.verifySignoff({ pipelineId, publicKey, update });
          if (!verdict.accepted) throw ApplicationFailure.create({ type: SIGNOFF_REFUSED_AUDITED, message: verdict.reason, nonRetryable: true });
        } finally {
          state.signoffPending = false;
        }
        state.signoff = { ...decision, decidedAt: new Date().toISOString(), audited: true };
        return state.signoff;
      }
      state.signoff = { ...decision, decidedAt: new Date().toISOString() };
      return state.signoff;
    },
    {
      // Rejected here, a bad sign-off never enters the workflow history.
      validator: (update) => {
        const parsed = signoffUpdateSchema.safeParse(update);
        if (!parsed.success) throw new Error(`invalid sign-off: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
        const refusal = state.signoffRefusal();
        if (refusal) throw new Error(refusal);
      },
    },
  );

  const stage = (next: PipelineStage) => {
    state.stage = next;
    upsertSearchAttributes([{ key: PipelineStageKey, value: next }]);
  };
  const finish = async (final: PipelineStage): Promise<PipelineResult> => {
    stage(final);
    const published = state.published.map((a) => a.artifact);
    // Added after the first pipelines ran: their histories have no outcome to record.
    if (patched("record-pipeline-outcome")) await acts.recordPipelineOutcome({ pipelineId, stage: final, published });
    await condition(allHandlersFinished);
    return { stage: final, composeId: input.composeId, published };
  };
  upsertSearchAttributes([
    { key: ReleaseKey, value: input.release },
    { key: ComposeIdKey, value: input.composeId },
  ]);

  try {
    stage("snapshot");
    const snapshot = await acts.snapshotInputs({ pipelineId, release: input.release });

    stage("plan");
    const plan = await acts.planPipeline({
      pipelineId,
      release: input.release,
      snapshotId: snapshot.snapshotId,
      artifacts: input.artifacts,
      force: input.force,
    });
    state.setPlan(plan);
    upsertSearchAttributes([{ key: ArtifactsKey, value: state.rebuilds }]);

    stage("build");
    const results = await buildAll(state.rebuilds, input.buildConcurrency, (artifact) => {
      state.update(artifact, { status: "building" });
      return executeChild(artifactBuild, {
        workflowId: `${pipelineId}/build/${artifact}`,
        args: [{ pipelineId, release: input.release, composeId: input.composeId, artifact, snapshotId: snapshot.snapshotId }],
        typedSearchAttributes: [
          { key: ReleaseKey, value: input.release },
          { key: ComposeIdKey, value: input.composeId },
          { key: ArtifactKey, value: artifact },
        ],
      });
    });
    for (const result of results) {
      if (result.ok) state.update(result.artifact, { status: "built", outputs: result.outputs, kojiTaskId: result.kojiTaskId ?? undefined });
      else state.update(result.artifact, { status: "build-failed", error: result.error, kojiTaskId: result.kojiTaskId ?? undefined });
    }
    if (state.available.length === 0) return await finish("nothing-to-publish");

    stage("compose");
    const existing = state.available.map((a) => ({ artifact: a.artifact, reuse: state.plan.find((p) => p.artifact === a.artifact)?.reuse }));
    const compose = await acts.assembleCompose({
      pipelineId,
      release: input.release,
      composeId: input.composeId,
      snapshotId: snapshot.snapshotId,
      artifacts: existing,
      incomplete: state.available.length < state.plan.length,
    });

    stage("check");
    const { required: requirements, ciWaitSeconds } = await acts.requiredChecks({ release: input.release, artifacts: state.plan.map((p) => p.artifact) });
    const checkInput = { pipelineId, release: input.release, composeId: input.composeId, snapshotId: snapshot.snapshotId, artifacts: existing };
    let checks = await acts.runChecks(checkInput);
    // External CI reports when it is done: wait for missing required results, woken by ResultsDB
    // messages, re-asking at least every few minutes in case a message was lost.
    const ciMissing = () => checks.some((c) => c.check.startsWith("ci:") && c.outcome === "MISSING" && requirements[c.artifact]?.includes(c.check));
    const ciDeadline = Date.now() + ciWaitSeconds * 1000;
    while (ciMissing() && Date.now() < ciDeadline) {
      ciReported = false;
      await condition(() => ciReported, Math.min(ciDeadline - Date.now(), 5 * 60 * 1000));
      const ci = await acts.runChecks({ ...checkInput, only: ["ci"] });
      checks = [...checks.filter((c) => !c.check.startsWith("ci:")), ...ci];
    }

    stage("gate");
    for (const entry of state.plan) {
      const artifact = state.artifact(entry.artifact);
      const gate = decideGate({
        artifact: entry.artifact,
        built: artifact.status !== "build-failed",
        buildError: artifact.error,
        required: requirements[entry.artifact] ?? [],
        checks,
      });
      state.update(entry.artifact, {
        checks: checks.filter((c) => c.artifact === entry.artifact),
        gate,
        status: gate.publish ? "publishable" : artifact.status === "build-failed" ? "build-failed" : "gated-out",
      });
    }
    if (state.publishable.length === 0) return await finish("nothing-to-publish");

    stage("awaiting-signoff");
    const signed = await condition(() => state.signoff !== undefined, `${input.signoff.remindAfterSeconds} seconds`);
    if (!signed) {
      await acts.remindSignoff({ pipelineId, release: input.release, composeId: input.composeId, publishable: state.publishable.map((a) => a.artifact) });
      state.remindedAt = new Date().toISOString();
      const remaining = Math.max(1, input.signoff.expireAfterSeconds - input.signoff.remindAfterSeconds);
      if (!(await condition(() => state.signoff !== undefined, `${remaining} seconds`))) {
        for (const a of state.publishable) state.update(a.artifact, { status: "not-published" });
        return await finish("expired");
      }
    }
    if (state.signoff?.decision !== "approve") {
      for (const a of state.publishable) state.update(a.artifact, { status: "not-published" });
      return await finish("rejected");
    }

    stage("publishing");
    const publishable = state.publishable;
    const names = new Set(publishable.map((a) => a.artifact));
    // Added with whole-release publication: the mirror learns where each approved build was made
    // and why the others are withheld, and the view shows what `latest` keeps of them.
    const wholeRelease = patched("publish-whole-release");
    const result = await acts.publishArtifacts({
      pipelineId,
      release: input.release,
      composeId: input.composeId,
      composeLocation: compose.location,
      files: compose.images.filter((i) => names.has(i.artifact)).map(({ artifact, path, sha256, size }) => ({ artifact, path, sha256, size })),
      ...(wholeRelease
        ? {
            builds: publishable.map((a) => ({ artifact: a.artifact, builtIn: state.plan.find((p) => p.artifact === a.artifact)?.reuse?.composeId ?? input.composeId })),
            withheld: state.plan.filter((p) => !names.has(p.artifact)).map((p) => ({ artifact: p.artifact, reason: withheldReason(state.artifact(p.artifact)) })),
          }
        : {}),
    });
    for (const a of publishable) state.update(a.artifact, { status: "published" });
    if (wholeRelease) {
      for (const a of result.artifacts) {
        if (state.plan.some((p) => p.artifact === a.artifact)) state.update(a.artifact, { mirror: { builtIn: a.builtIn, kept: a.kept, reason: a.reason } });
      }
    }
    return await finish("published");
  } catch (error) {
    state.error = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    stage("failed");
    if (patched("record-pipeline-outcome")) {
      const outcome = { pipelineId, stage: isCancellation(error) ? "cancelled" : "failed", published: [] };
      await CancellationScope.nonCancellable(() => acts.recordPipelineOutcome(outcome));
    }
    throw error;
  }
}

/** Why an artifact of the plan is not among those published, in a release engineer's words. */
function withheldReason(a: ArtifactState): string {
  if (a.status === "build-failed") return `its build failed${a.error ? `: ${a.error}` : ""}`;
  if (a.gate && !a.gate.publish) return `gated out: ${a.gate.summary}`;
  return `not publishable (${a.status})`;
}

/** Runs `build` over `artifacts`, at most `limit` at a time, in a deterministic order. */
async function buildAll(
  artifacts: string[],
  limit: number,
  build: (artifact: string) => Promise<ArtifactBuildResult>,
): Promise<ArtifactBuildResult[]> {
  const queue = [...artifacts];
  const results: ArtifactBuildResult[] = [];
  const lane = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) results.push(await build(next));
  };
  await Promise.all(Array.from({ length: Math.min(limit, artifacts.length) }, lane));
  return results.sort((a, b) => (a.artifact < b.artifact ? -1 : 1));
}
