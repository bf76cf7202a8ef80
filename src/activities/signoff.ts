// Verifying a sign-off for the pipeline and writing it into the audit trail, accepted or refused:
// every sign-off the workflow takes, whatever path it came by, is recorded by the workflow itself.
import type { Db } from "../db/database.js";
import { assertionPayloadSchema, assertionRefusal } from "../domain/signoff-assertion.js";
import type { SignoffUpdate } from "../domain/pipeline.js";
import { assertionSignatureValid } from "../pipelines/signoff-keys.js";

export function createSignoffActivities(deps: { db: Db; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return {
    async verifySignoff(input: { pipelineId: string; publicKey: string; update: SignoffUpdate }): Promise<{ accepted: boolean; reason?: string }> {
      const { update } = input;
      const signatureValid = update.assertion ? assertionSignatureValid(input.publicKey, update.assertion) : false;
      const reason = assertionRefusal({ pipelineId: input.pipelineId, update, assertion: update.assertion, signatureValid, now: now() });
      // Where the API saw the request from, when the assertion is genuine.
      const payload = signatureValid && update.assertion ? assertionPayloadSchema.safeParse(JSON.parse(update.assertion.payload)) : undefined;
      await deps.db.signoffAudit.create({
        data: {
          pipelineId: input.pipelineId,
          actor: update.actor,
          decision: update.decision,
          comment: update.comment,
          accepted: reason === undefined,
          reason: reason ? `refused by the pipeline: ${reason}` : null,
          remoteAddr: payload?.success ? payload.data.remoteAddr : null,
        },
      });
      return reason === undefined ? { accepted: true } : { accepted: false, reason };
    },
  };
}
