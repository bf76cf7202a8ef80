// /api/v1/pipelines: list, start, read, sign off.
import { z } from "zod";
import { PIPELINE_STAGES, signoffRequestSchema } from "../domain/pipeline.js";
import { getPipeline, listPipelines, PipelineError, signoff, startPipeline, type PipelineDeps } from "../pipelines/service.js";
import { signoffKeyFiles } from "../pipelines/signoff-keys.js";
import type { Authenticator, Identity } from "./auth.js";
import { HttpError, json, type Router } from "./http.js";
import { limit, parseQuery, releaseName } from "./query.js";

const startSchema = z.object({
  release: z.string().min(1),
  artifacts: z.array(z.string().min(1)).default([]),
  force: z.array(z.string().min(1)).default([]),
});

export const listSchema = z.strictObject({
  release: releaseName.optional(),
  stage: z.enum(PIPELINE_STAGES, { error: `expected one of ${PIPELINE_STAGES.join(", ")}` }).optional(),
  limit: limit(50, 500),
});

function asHttp(error: unknown): never {
  if (error instanceof PipelineError) {
    throw new HttpError(error.kind === "not-found" ? 404 : error.kind === "refused" ? 409 : 400, error.message);
  }
  if (error instanceof Error && error.name === "ReleaseDefinitionError") throw new HttpError(400, error.message);
  throw error;
}

export function pipelineRoutes(router: Router, deps: PipelineDeps, auth: Authenticator): void {
  router
    .on("GET", "/api/v1/pipelines", async ({ query }) =>
      json(200, { pipelines: await listPipelines(deps.client, parseQuery(listSchema, query)).catch(asHttp) }),
    )
    .on("POST", "/api/v1/pipelines", async ({ req, body }) => {
      auth.authorize(auth.authenticate(req), "trigger");
      const request = await body(startSchema);
      const started = await startPipeline(deps, { ...request, trigger: "manual" }).catch(asHttp);
      return json(202, started);
    })
    // Workflow ids contain slashes (pipeline/<release>/<compose id>): the id is the rest of the path.
    .on("POST", "/api/v1/pipelines/:id*/signoff", async ({ req, params, body }) => {
      let identity: Identity | undefined;
      try {
        identity = auth.authenticate(req);
        auth.authorize(identity, "signoff");
      } catch (error) {
        // Refused before reaching the workflow: still part of the audit trail.
        await deps.db.signoffAudit.create({
          data: {
            pipelineId: params.id!,
            actor: identity?.user ?? "(unauthenticated)",
            decision: "(none)",
            comment: "",
            accepted: false,
            reason: (error as Error).message,
            remoteAddr: req.socket.remoteAddress,
          },
        });
        throw error;
      }
      const request = await body(signoffRequestSchema);
      const record = await signoff(
        deps.client,
        deps.db,
        { workflowId: params.id!, actor: identity.user, request, remoteAddr: req.socket.remoteAddress },
        signoffKeyFiles(deps.cfg),
      ).catch(asHttp);
      return json(200, { workflowId: params.id, signoff: record });
    })
    .on("GET", "/api/v1/pipelines/:id*", async ({ params }) => json(200, await getPipeline(deps.client, params.id!).catch(asHttp)));
}
