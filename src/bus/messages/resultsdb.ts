// ResultsDB's new-result message. ResultsDB publishes with fedora-messaging's base Message class;
// the body is the result as its API v2 serialises it (resultsdb/serializers/api_v2.py).
import { z } from "zod";
import { RESULT_OUTCOMES } from "../../clients/resultsdb.js";

/** resultsdb.result.new */
export const resultsdbNewBodySchema = z.looseObject({
  id: z.number().int(),
  outcome: z.enum(RESULT_OUTCOMES),
  testcase: z.looseObject({ name: z.string().min(1), ref_url: z.string().nullable().optional(), href: z.string().optional() }),
  data: z.record(z.string(), z.array(z.string())),
  submit_time: z.string(),
  note: z.string().nullable().optional(),
  ref_url: z.string().nullable().optional(),
  groups: z.array(z.string()).optional(),
  href: z.string().optional(),
});
export type ResultsdbNewBody = z.infer<typeof resultsdbNewBodySchema>;
