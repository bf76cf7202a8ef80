// What the API and the CLI do with pipelines: start one (allocating its compose id), read its
// state, and deliver a sign-off. Both are thin shells over these functions.
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionInfo,
} from "@temporalio/client";
import { ApplicationFailure } from "@temporalio/common";
import type { Config } from "../config.js";
import { composeDate, composeId as formatComposeId } from "../domain/compose-id.js";
import { pipelineWorkflowId, type PipelineInput, type PipelineView, type SignoffRecord, type SignoffRequest, type SignoffUpdate } from "../domain/pipeline.js";
import type { Db } from "../db/database.js";
import { Prisma } from "../generated/prisma/client.js";
import type { ReleaseCatalog } from "../releases/catalog.js";
import { ComposeIdKey, PipelineStageKey, ReleaseKey } from "../temporal/search-attributes.js";
import { visibilityEquals, VisibilityQueryValueError } from "../temporal/visibility-query.js";
import { composePipeline, pipelineQuery, SIGNOFF_REFUSED_AUDITED, signoffUpdate } from "../workflows/compose-pipeline.js";
import { assertionPayload } from "../domain/signoff-assertion.js";
import { signAssertion, signoffKeyFiles, signoffPublicKey, type SignoffKeyFiles } from "./signoff-keys.js";

export interface PipelineDeps {
  client: Client;
  db: Db;
  /** sign-off timers and build concurrency of the pipelines started; their task queue by default */
  cfg: Config;
  releases: ReleaseCatalog;
  /** the task queue pipelines run on, when not the configured one */
  taskQueue?: string;
  now?: () => Date;
}

export class PipelineError extends Error {
  constructor(
    readonly kind: "not-found" | "refused" | "invalid",
    message: string,
  ) {
    super(message);
  }
}

export interface StartRequest {
  release: string;
  trigger: PipelineInput["trigger"];
  artifacts?: string[];
  force?: string[];
  /** the compose date; today (UTC) by default */
  date?: string;
  /** what asked for it (a bus batch, a scheduled run): one pipeline run per key, however often asked */
  triggerKey?: string;
}

/** Allocates the next compose id of the day for a release and records the pipeline run. */
export async function allocatePipelineRun(db: Db, releases: ReleaseCatalog, req: StartRequest, now = new Date()) {
  const def = releases.get(req.release);
  const unknown = [...(req.artifacts ?? []), ...(req.force ?? [])].filter((a) => !def.artifacts.some((d) => d.name === a));
  if (unknown.length) throw new PipelineError("invalid", `release ${req.release} has no artifact ${unknown.join(", ")}`);
  const date = req.date ?? composeDate(now);
  const byKey = () => (req.triggerKey ? db.pipelineRun.findUnique({ where: { triggerKey: req.triggerKey } }) : null);
  const earlier = await byKey();
  if (earlier) return { workflowId: earlier.workflowId, composeId: earlier.composeId };
  for (let attempt = 0; attempt < 5; attempt++) {
    const [fromRuns, fromComposes] = await Promise.all([
      db.pipelineRun.aggregate({ where: { release: req.release, date }, _max: { respin: true } }),
      db.compose.aggregate({ where: { release: { name: req.release }, date, type: def.compose.type }, _max: { respin: true } }),
    ]);
    const respin = Math.max(fromRuns._max.respin ?? -1, fromComposes._max.respin ?? -1) + 1;
    const composeId = formatComposeId(req.release, date, def.compose.type, respin);
    const workflowId = pipelineWorkflowId(req.release, composeId);
    try {
      await db.pipelineRun.create({
        data: { workflowId, release: req.release, composeId, date, respin, trigger: req.trigger, artifacts: req.artifacts ?? [], triggerKey: req.triggerKey },
      });
      return { workflowId, composeId };
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
        // A concurrent attempt for the same key won: its run is ours. Otherwise another trigger
        // took this respin at the same moment: take the next one.
        const concurrent = await byKey();
        if (concurrent) return { workflowId: concurrent.workflowId, composeId: concurrent.composeId };
        continue;
      }
      throw error;
    }
  }
  throw new Error(`could not allocate a compose id for ${req.release} on ${date}: too much contention`);
}

export function pipelineInput(cfg: Config, req: StartRequest, composeId: string): PipelineInput {
  return {
    release: req.release,
    composeId,
    trigger: req.trigger,
    artifacts: req.artifacts ?? [],
    force: req.force ?? [],
    signoff: {
      remindAfterSeconds: cfg.RELENGOTRON_SIGNOFF_REMIND_AFTER,
      expireAfterSeconds: cfg.RELENGOTRON_SIGNOFF_EXPIRE_AFTER,
      publicKey: signoffPublicKey(signoffKeyFiles(cfg)),
    },
    buildConcurrency: cfg.RELENGOTRON_BUILD_CONCURRENCY,
  };
}

/**
 * Starts a compose pipeline: allocates its compose id and starts its workflow. Every start goes
 * through here (the API, the CLI, the release trigger and the nightly schedule). With a
 * `triggerKey` it is idempotent: a repeated call gets the compose id the first allocated, and
 * starts the pipeline if the first died before doing so, or finds it started.
 */
export async function startPipeline(deps: PipelineDeps, req: StartRequest): Promise<{ workflowId: string; composeId: string }> {
  const run = await allocatePipelineRun(deps.db, deps.releases, req, deps.now?.());
  try {
    await deps.client.workflow.start(composePipeline, {
      taskQueue: deps.taskQueue ?? deps.cfg.TEMPORAL_TASK_QUEUE,
      workflowId: run.workflowId,
      args: [pipelineInput(deps.cfg, req, run.composeId)],
      ...(req.triggerKey ? { memo: { triggerKey: req.triggerKey } } : {}),
      typedSearchAttributes: [
        { key: ReleaseKey, value: req.release },
        { key: ComposeIdKey, value: run.composeId },
        { key: PipelineStageKey, value: "snapshot" },
      ],
    });
  } catch (error) {
    // A concurrent call for the same key (an activity attempt that timed out but still ran)
    // started this very workflow. Without a key every call allocates its own id: never ours.
    if (!(req.triggerKey && error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return run;
}

export async function getPipeline(client: Client, workflowId: string): Promise<PipelineView & { workflowId: string; status: string }> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    const [description, view] = await Promise.all([handle.describe(), handle.query(pipelineQuery)]);
    return { workflowId, status: description.status.name, ...view };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw new PipelineError("not-found", `no pipeline ${workflowId}`);
    throw error;
  }
}

export async function listPipelines(client: Client, opts: { release?: string; stage?: string; limit?: number; running?: boolean } = {}) {
  const clauses = [`WorkflowType = 'composePipeline'`];
  if (opts.running) clauses.push(`ExecutionStatus = 'Running'`);
  // Values are quoted and escaped, or refused (a backslash, control characters): never pasted in.
  try {
    if (opts.release) clauses.push(visibilityEquals(ReleaseKey.name, opts.release));
    if (opts.stage) clauses.push(visibilityEquals(PipelineStageKey.name, opts.stage));
  } catch (error) {
    if (error instanceof VisibilityQueryValueError) throw new PipelineError("invalid", error.message);
    throw error;
  }
  const out: ReturnType<typeof summarize>[] = [];
  for await (const wf of client.workflow.list({ query: clauses.join(" AND ") })) {
    out.push(summarize(wf));
    if (out.length >= (opts.limit ?? 50)) break;
  }
  return out;
}

function summarize(wf: WorkflowExecutionInfo) {
  const sa = wf.typedSearchAttributes;
  return {
    workflowId: wf.workflowId,
    status: wf.status.name,
    release: sa.get(ReleaseKey),
    composeId: sa.get(ComposeIdKey),
    stage: sa.get(PipelineStageKey),
    startTime: wf.startTime.toISOString(),
    closeTime: wf.closeTime?.toISOString(),
  };
}

export interface SignoffAttempt {
  workflowId: string;
  actor: string;
  request: SignoffRequest;
  remoteAddr?: string;
}

/** The Update the API sends: the decision with an assertion signed by the API's key. */
export function signedSignoffUpdate(keys: SignoffKeyFiles, attempt: SignoffAttempt, now = new Date()): SignoffUpdate {
  const payload = assertionPayload({ pipelineId: attempt.workflowId, ...attempt.request, actor: attempt.actor, remoteAddr: attempt.remoteAddr, now });
  return { ...attempt.request, actor: attempt.actor, assertion: signAssertion(keys, payload) };
}

/**
 * Delivers a sign-off as a Temporal Update and audits the attempt, accepted or refused. A pipeline
 * that verifies assertions records what it decided itself; the API records the rest (refused before
 * the pipeline looked: not waiting, finished, unknown).
 */
export async function signoff(client: Client, db: Db, attempt: SignoffAttempt, keys: SignoffKeyFiles): Promise<SignoffRecord> {
  const audit = (accepted: boolean, reason?: string) =>
    db.signoffAudit.create({
      data: {
        pipelineId: attempt.workflowId,
        actor: attempt.actor,
        decision: attempt.request.decision,
        comment: attempt.request.comment,
        accepted,
        reason,
        remoteAddr: attempt.remoteAddr,
      },
    });
  const handle = client.workflow.getHandle(attempt.workflowId);
  try {
    const record = await handle.executeUpdate(signoffUpdate, { args: [signedSignoffUpdate(keys, attempt)] });
    if (!record.audited) await audit(true);
    return record;
  } catch (error) {
    const reason = await refusalReason(handle, error);
    const auditedByPipeline = error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === SIGNOFF_REFUSED_AUDITED;
    if (!auditedByPipeline) await audit(false, reason ?? (error as Error).message);
    if (reason) throw new PipelineError("refused", reason);
    if (error instanceof WorkflowNotFoundError) throw new PipelineError("not-found", `no pipeline ${attempt.workflowId}`);
    throw error;
  }
}

async function refusalReason(handle: ReturnType<Client["workflow"]["getHandle"]>, error: unknown): Promise<string | undefined> {
  if (error instanceof WorkflowUpdateFailedError) return error.cause?.message ?? error.message;
  // The server answers "not found" for an update to a closed workflow: tell the two apart.
  if (error instanceof WorkflowNotFoundError) {
    try {
      const description = await handle.describe();
      const stage = description.typedSearchAttributes.get(PipelineStageKey);
      return `pipeline has finished (${description.status.name.toLowerCase()}${stage ? `, stage ${stage}` : ""}): it takes no sign-off`;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
