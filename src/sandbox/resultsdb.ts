// A ResultsDB stand-in on loopback: the v2.0 endpoints relengotron and CI use (submit a result,
// list results, latest result per testcase and `_distinct_on` keys, with ResultsDB's query
// parameters), so the same clients serve the real ResultsDB.
import fs from "node:fs";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { RESULT_OUTCOMES, type Result } from "../clients/resultsdb.js";

const submission = z.object({
  testcase: z.union([z.string().min(1), z.object({ name: z.string().min(1), ref_url: z.string().optional() })]),
  outcome: z.enum(RESULT_OUTCOMES),
  data: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
  note: z.string().optional(),
  ref_url: z.string().optional(),
});

export interface SandboxResultsDbOptions {
  /** persist results here (JSON), so a restarted sandbox keeps them */
  stateFile?: string;
  onResult?: (result: Result) => void;
  clock?: () => Date;
}

export class SandboxResultsDb {
  private results: Result[] = [];

  constructor(private readonly opts: SandboxResultsDbOptions = {}) {
    if (opts.stateFile && fs.existsSync(opts.stateFile)) this.results = JSON.parse(fs.readFileSync(opts.stateFile, "utf8")) as Result[];
  }

  submit(body: unknown): Result {
    const s = submission.parse(body);
    const name = typeof s.testcase === "string" ? s.testcase : s.testcase.name;
    const result: Result = {
      id: this.results.length + 1,
      outcome: s.outcome,
      testcase: { name },
      data: Object.fromEntries(Object.entries(s.data).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
      submit_time: (this.opts.clock?.() ?? new Date()).toISOString(),
      note: s.note ?? null,
      ref_url: s.ref_url ?? null,
    };
    this.results.push(result);
    this.persist();
    this.opts.onResult?.(result);
    return result;
  }

  /**
   * ResultsDB's filters: `testcases` (comma = any of), `since` (`start[,end]` on submit_time), and
   * every other parameter not starting with `_` a result-data key (comma = any of). Newest first.
   */
  query(params: URLSearchParams): Result[] {
    const testcases = params.get("testcases")?.split(",").filter(Boolean);
    const [since, until] = (params.get("since") ?? "").split(",").map((t) => (t ? Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(t) ? t : `${t}Z`) : NaN));
    const filters = [...params.entries()].filter(([k]) => !["testcases", "limit", "page", "since", "outcome"].includes(k) && !k.startsWith("_"));
    const outcomes = params.get("outcome")?.split(",");
    return this.results
      .filter((r) => !testcases || testcases.includes(r.testcase.name))
      .filter((r) => !outcomes || outcomes.includes(r.outcome))
      .filter((r) => (since === undefined || Number.isNaN(since) || Date.parse(r.submit_time) >= since) && (until === undefined || Number.isNaN(until) || Date.parse(r.submit_time) <= until))
      .filter((r) => filters.every(([key, value]) => value.split(",").some((v) => r.data[key]?.includes(v))))
      .reverse();
  }

  /** The newest result per testcase, and per the values of the `_distinct_on` data keys (Greenwave asks `scenario,system_architecture,system_variant`). */
  latest(params: URLSearchParams): Result[] {
    const distinctOn = params.get("_distinct_on")?.split(",").filter(Boolean) ?? [];
    const seen = new Set<string>();
    return this.query(params).filter((r) => {
      const key = JSON.stringify([r.testcase.name, ...distinctOn.map((k) => r.data[k] ?? null)]);
      return !seen.has(key) && seen.add(key);
    });
  }

  /** Handles /api/v2.0/… requests under `prefix`; answers false for other paths. */
  async handle(req: IncomingMessage, res: ServerResponse, prefix = ""): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith(`${prefix}/api/v2.0/`)) return false;
    const route = url.pathname.slice(prefix.length);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method === "POST" && route === "/api/v2.0/results") {
        let raw = "";
        for await (const chunk of req) raw += chunk;
        send(201, this.submit(JSON.parse(raw)));
      } else if (req.method === "GET" && route === "/api/v2.0/results/latest") {
        send(200, { data: this.latest(url.searchParams) });
      } else if (req.method === "GET" && route === "/api/v2.0/results") {
        const limit = Number(url.searchParams.get("limit") ?? 20);
        send(200, { data: this.query(url.searchParams).slice(0, limit), next: null, prev: null });
      } else {
        send(404, { message: `no such endpoint: ${req.method} ${route}` });
      }
    } catch (error) {
      const message = error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") : (error as Error).message;
      send(400, { message });
    }
    return true;
  }

  private persist(): void {
    if (!this.opts.stateFile) return;
    fs.mkdirSync(path.dirname(this.opts.stateFile), { recursive: true });
    const temp = `${this.opts.stateFile}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(this.results));
    fs.renameSync(temp, this.opts.stateFile);
  }
}
