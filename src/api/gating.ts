// POST /api/v1/decision: Greenwave's `POST /api/v1.0/decision` — the same request body, the same
// response body, and Greenwave's status and `{"message": …}` where it answers 4xx — so Bodhi or
// anything that speaks to Greenwave can speak to relengotron.
import { z } from "zod";
import { DecisionError } from "../domain/greenwave/decision.js";
import { makeDecision, type DecisionSources } from "../gating/decide.js";
import { HttpError, json, type Router } from "./http.js";

// The fields Greenwave checks itself (product_version, decision_context, subject…, verbose, when)
// stay loose here so that it is Greenwave's message that answers a bad value.
export const decisionRequestSchema = z.looseObject({
  decision_context: z.unknown().optional(),
  product_version: z.unknown().optional(),
  subject_type: z.unknown().optional(),
  subject_identifier: z.unknown().optional(),
  subject: z.unknown().optional(),
  verbose: z.unknown().optional(),
  when: z.unknown().optional(),
  rules: z.array(z.record(z.string(), z.unknown())).optional(),
  packages: z.array(z.string()).optional(),
  excluded_packages: z.array(z.string()).optional(),
  ignore_result: z.array(z.number().int()).optional(),
  ignore_waiver: z.array(z.number().int()).optional(),
  /** relengotron: the ring the subject is in, for policies that name rings */
  ring: z.string().min(1).optional(),
});

export interface GatingDeps {
  /** the policies and where results and waivers come from; undefined: gating is not configured */
  sources(): DecisionSources | undefined;
}

export function gatingRoutes(router: Router, deps: GatingDeps): void {
  router.on("POST", "/api/v1/decision", async (ctx) => {
    const sources = deps.sources();
    if (!sources) return json(503, { message: "gating is not configured: no policies directory or ResultsDB" });
    let body: z.infer<typeof decisionRequestSchema>;
    try {
      body = await ctx.body(decisionRequestSchema);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const details = Array.isArray(error.details) ? (error.details as { path: string; message: string }[]).map((d) => `${d.path}: ${d.message}`).join("; ") : "";
      return json(error.status, { message: details ? `${error.message}: ${details}` : error.message });
    }
    try {
      return json(200, await makeDecision(body, sources));
    } catch (error) {
      if (error instanceof DecisionError) return json(error.status, { message: error.message });
      // an upstream (ResultsDB, WaiverDB) failing: Greenwave answers 502
      return json(502, { message: `Error connecting to upstream server: ${(error as Error).message}` });
    }
  });
}
