// How long a pipeline has waited for its sign-off, and when it expires, read from its history:
// the event that set PipelineStage to awaiting-signoff, and the timers its input asked for.
import type { Client } from "@temporalio/client";
import { defaultPayloadConverter, type Payload } from "@temporalio/common";
import type { PipelineInput } from "../domain/pipeline.js";
import { PipelineStageKey } from "../temporal/search-attributes.js";

export interface SignoffWait {
  /** when the pipeline entered awaiting-signoff */
  since: string;
  /** when a reminder goes (or went) out */
  remindAt: string;
  /** when the pipeline expires without a sign-off */
  expiresAt: string;
}

type Timestamp = { seconds?: { toNumber(): number } | number | null; nanos?: number | null } | null | undefined;

const toDate = (t: Timestamp): Date | undefined => {
  if (!t?.seconds) return undefined;
  const seconds = typeof t.seconds === "number" ? t.seconds : t.seconds.toNumber();
  return new Date(seconds * 1000 + Math.floor((t.nanos ?? 0) / 1e6));
};

const decode = (payload: Payload | null | undefined): unknown => {
  if (!payload) return undefined;
  try {
    return defaultPayloadConverter.fromPayload(payload);
  } catch {
    return undefined;
  }
};

/** The sign-off wait of a pipeline that is (or was) awaiting one; undefined when it never waited. */
export async function signoffWait(client: Client, workflowId: string): Promise<SignoffWait | undefined> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  let input: PipelineInput | undefined;
  let since: Date | undefined;
  for (const event of history.events ?? []) {
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) input = decode(started.input?.payloads?.[0] as Payload | undefined) as PipelineInput | undefined;
    const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    const stage = fields ? decode(fields[PipelineStageKey.name] as Payload | undefined) : undefined;
    if (stage === "awaiting-signoff") since = toDate(event.eventTime as Timestamp);
  }
  if (!since || !input?.signoff) return undefined;
  const at = (seconds: number) => new Date(since.getTime() + seconds * 1000).toISOString();
  return { since: since.toISOString(), remindAt: at(input.signoff.remindAfterSeconds), expiresAt: at(input.signoff.expireAfterSeconds) };
}
