// Sign-offs as the API makes them: signed with the data folder's key, which pipelines started by
// the tests (testPipelineInput, the default configuration) verify against.
import { loadConfig } from "../../src/config.js";
import type { SignoffRequest, SignoffUpdate } from "../../src/domain/pipeline.js";
import { signedSignoffUpdate } from "../../src/pipelines/service.js";
import { signoffKeyFiles } from "../../src/pipelines/signoff-keys.js";

export function signed(workflowId: string, decision: SignoffRequest & { actor: string }, now?: Date): SignoffUpdate {
  const { actor, ...request } = decision;
  return signedSignoffUpdate(signoffKeyFiles(loadConfig({})), { workflowId, actor, request }, now);
}
