// ResultsDB's REST API (v2.0), where CI systems (openQA, Zuul, Testing Farm) report results.
import { z } from "zod";

export const RESULT_OUTCOMES = ["PASSED", "INFO", "FAILED", "NEEDS_INSPECTION", "RUNNING", "QUEUED", "ERROR"] as const;

export const resultSchema = z.looseObject({
  id: z.number().int(),
  outcome: z.enum(RESULT_OUTCOMES),
  testcase: z.looseObject({ name: z.string() }),
  data: z.record(z.string(), z.array(z.string())),
  submit_time: z.string(),
  note: z.string().nullable().optional(),
  ref_url: z.string().nullable().optional(),
});
export type Result = z.infer<typeof resultSchema>;

const listSchema = z.looseObject({ data: z.array(resultSchema) });

export interface NewResult {
  testcase: string;
  outcome: (typeof RESULT_OUTCOMES)[number];
  /** e.g. { item: ["Fedora-Workstation-Live-Rawhide-20261127.n.0"], type: ["koji_build"] } */
  data: Record<string, string | string[]>;
  note?: string;
  ref_url?: string;
}

/** A result as Greenwave reads it: any outcome string (deployments add their own outcomes). */
const anyResultSchema = resultSchema.extend({ outcome: z.string() });
export type AnyResult = z.infer<typeof anyResultSchema>;
const anyListSchema = z.looseObject({ data: z.array(anyResultSchema) });

/**
 * ResultsDB's REST API v2.0 at its API root (e.g. https://resultsdb.fedoraproject.org/api/v2.0),
 * queried the way Greenwave queries it (greenwave/resources.py ResultsRetriever).
 */
export class ResultsDbApi {
  constructor(readonly apiRoot: string) {}

  /** `GET /results/latest?<params>`: e.g. `{ item, type: "koji_build,brew-build", _distinct_on: "scenario,system_architecture,system_variant" }`. */
  async latest(params: Record<string, string>): Promise<AnyResult[]> {
    const url = `${this.apiRoot.replace(/\/+$/, "")}/results/latest?${new URLSearchParams(params)}`;
    const res = await fetch(url);
    if (!res.ok) throw new Error(`ResultsDB: GET ${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const parsed = anyListSchema.safeParse(await res.json());
    if (!parsed.success) throw new Error(`ResultsDB: unexpected answer from GET ${url}: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
    return parsed.data.data;
  }
}

export class ResultsDbClient {
  constructor(private readonly url: string) {}

  /** The latest result of each testcase for the item, as Greenwave asks for them. */
  async latest(item: string, type: string, testcases: string[]): Promise<Result[]> {
    const query = new URLSearchParams({ item, type });
    if (testcases.length) query.set("testcases", testcases.join(","));
    const res = await fetch(`${this.url}/api/v2.0/results/latest?${query}`);
    if (!res.ok) throw new Error(`ResultsDB ${this.url}: GET results/latest answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const parsed = listSchema.safeParse(await res.json());
    if (!parsed.success) throw new Error(`ResultsDB ${this.url}: unexpected results/latest answer: ${parsed.error.issues[0]?.message}`);
    return parsed.data.data;
  }

  async submit(result: NewResult): Promise<Result> {
    const res = await fetch(`${this.url}/api/v2.0/results`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...result, testcase: { name: result.testcase } }),
    });
    if (!res.ok) throw new Error(`ResultsDB ${this.url}: POST results answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return resultSchema.parse(await res.json());
  }
}
