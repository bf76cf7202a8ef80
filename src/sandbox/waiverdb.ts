// A WaiverDB stand-in on loopback speaking WaiverDB's REST API v1.0 as
// release-engineering/waiverdb defines it (waiverdb/api_v1.py): `GET /waivers/` with its filters,
// `POST /waivers/` (one or a list; `brew-build` stored as `koji_build`; `username` only for
// superusers, who then proxy), `GET /waivers/<id>`, `POST /waivers/+filtered`, `GET /about`.
// Obsolete waivers — a newer one exists for the same subject, testcase and scenario (and, for
// `GET /waivers/`, username and product version) — are left out unless `include_obsolete`.
// Authentication: a bearer token from `tokens` names the user (WaiverDB's OIDC, simplified).
import fs from "node:fs";
import path from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { Waiver } from "../clients/waiverdb.js";

const createSchema = z.strictObject({
  subject_type: z.string().min(1).optional(),
  subject_identifier: z.string().min(1).optional(),
  subject: z.record(z.string(), z.string()).optional(),
  testcase: z.string().min(1),
  scenario: z.string().nullable().optional(),
  waived: z.boolean(),
  product_version: z.string().min(1),
  comment: z.string().min(1),
  username: z.string().optional(),
});

const filterSchema = z.strictObject({
  subject_type: z.string().optional(),
  subject_identifier: z.string().optional(),
  testcase: z.string().optional(),
  scenario: z.string().optional(),
  product_version: z.string().optional(),
  username: z.string().optional(),
  proxied_by: z.string().optional(),
  since: z.string().optional(),
});
const filteredSchema = z.strictObject({ filters: z.array(filterSchema), include_obsolete: z.boolean().optional() });

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface SandboxWaiverDbOptions {
  /** bearer token → username */
  tokens?: Record<string, string>;
  superusers?: string[];
  stateFile?: string;
  onWaiver?: (waiver: Waiver) => void;
  clock?: () => Date;
}

export function subjectDict(type: string, identifier: string): Record<string, string> {
  return type === "compose" ? { "productmd.compose.id": identifier } : { type, item: identifier };
}

export class SandboxWaiverDb {
  private waivers: Waiver[] = [];

  constructor(private readonly opts: SandboxWaiverDbOptions = {}) {
    if (opts.stateFile && fs.existsSync(opts.stateFile)) this.waivers = JSON.parse(fs.readFileSync(opts.stateFile, "utf8")) as Waiver[];
  }

  all(): readonly Waiver[] {
    return this.waivers;
  }

  create(body: unknown, user: string): Waiver {
    const w = createSchema.parse(body);
    let subjectType = w.subject_type;
    let subjectIdentifier = w.subject_identifier;
    if (w.subject) {
      // WaiverDB < 0.11 subjects
      if (w.subject["productmd.compose.id"]) [subjectType, subjectIdentifier] = ["compose", w.subject["productmd.compose.id"]];
      else if (w.subject.original_spec_nvr) [subjectType, subjectIdentifier] = ["koji_build", w.subject.original_spec_nvr];
      else [subjectType, subjectIdentifier] = [w.subject.type, w.subject.item];
    }
    if (!subjectType || !subjectIdentifier) throw new HttpFailure(400, "subject_type and subject_identifier are required");
    let username = user;
    let proxiedBy: string | null = null;
    if (w.username) {
      if (!(this.opts.superusers ?? []).includes(user)) throw new HttpFailure(403, `user ${user} does not have the proxyuser ability`);
      proxiedBy = user;
      username = w.username;
    }
    if (subjectType === "brew-build") subjectType = "koji_build";
    const waiver: Waiver = {
      id: this.waivers.length + 1,
      subject_type: subjectType,
      subject_identifier: subjectIdentifier,
      subject: subjectDict(subjectType, subjectIdentifier),
      testcase: w.testcase,
      username,
      scenario: w.scenario ?? null,
      proxied_by: proxiedBy,
      product_version: w.product_version,
      waived: w.waived,
      comment: w.comment,
      timestamp: (this.opts.clock?.() ?? new Date()).toISOString().replace("Z", ""),
    };
    this.waivers.push(waiver);
    this.persist();
    this.opts.onWaiver?.(waiver);
    return waiver;
  }

  /** `+filtered`: filters ORed, keys within one ANDed; newest first. */
  filtered(filters: z.infer<typeof filterSchema>[], includeObsolete = false): Waiver[] {
    const matching = this.waivers.filter((w) => filters.some((f) => matches(w, f)));
    const kept = includeObsolete ? matching : matching.filter((w) => this.newest(w, ["subject_type", "subject_identifier", "testcase", "scenario"]));
    return kept.reverse();
  }

  list(params: URLSearchParams): Waiver[] {
    const filter = filterSchema.parse(Object.fromEntries([...params].filter(([k]) => !["page", "limit", "include_obsolete"].includes(k))));
    const matching = this.waivers.filter((w) => matches(w, filter));
    const kept = params.get("include_obsolete") === "true" ? matching : matching.filter((w) => this.newest(w, ["subject_type", "subject_identifier", "testcase", "scenario", "username", "product_version"]));
    return kept.reverse();
  }

  private newest(w: Waiver, keys: (keyof Waiver)[]): boolean {
    const ids = this.waivers.filter((o) => keys.every((k) => (o[k] ?? null) === (w[k] ?? null))).map((o) => o.id);
    return w.id === Math.max(...ids);
  }

  private user(req: IncomingMessage): string {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    const user = m ? this.opts.tokens?.[m[1]!] : undefined;
    if (!user) throw new HttpFailure(401, "Authenticated user required. No methods specified.");
    return user;
  }

  /** Handles `<prefix>/api/v1.0/…`; answers false for other paths. */
  async handle(req: IncomingMessage, res: ServerResponse, prefix = ""): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith(`${prefix}/api/v1.0/`)) return false;
    const route = url.pathname.slice(prefix.length + "/api/v1.0".length);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const readJson = async (): Promise<unknown> => {
      let raw = "";
      for await (const chunk of req) raw += chunk;
      try {
        return JSON.parse(raw);
      } catch {
        throw new HttpFailure(400, "request body is not JSON");
      }
    };
    try {
      const one = /^\/waivers\/(\d+)$/.exec(route);
      if (req.method === "GET" && route === "/about") send(200, { version: "sandbox", auth_method: "OIDC" });
      else if (req.method === "GET" && route === "/waivers/") {
        const limit = Number(url.searchParams.get("limit") ?? 10);
        const page = Number(url.searchParams.get("page") ?? 1);
        const all = this.list(url.searchParams);
        send(200, { data: all.slice((page - 1) * limit, page * limit), first: null, last: null, next: page * limit < all.length ? `${url.pathname}?page=${page + 1}` : null, prev: null });
      } else if (req.method === "POST" && route === "/waivers/") {
        const user = this.user(req);
        const body = await readJson();
        send(201, Array.isArray(body) ? body.map((b) => this.create(b, user)) : this.create(body, user));
      } else if (req.method === "POST" && route === "/waivers/+filtered") {
        const body = filteredSchema.parse(await readJson());
        send(200, { data: this.filtered(body.filters, body.include_obsolete) });
      } else if (req.method === "GET" && one) {
        const waiver = this.waivers.find((w) => w.id === Number(one[1]));
        if (waiver) send(200, waiver);
        else send(404, { message: "Waiver not found" });
      } else send(404, { message: `no such endpoint: ${req.method} ${route}` });
    } catch (error) {
      if (error instanceof HttpFailure) send(error.status, { message: error.message });
      else if (error instanceof z.ZodError) send(400, { message: error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ") });
      else send(500, { message: (error as Error).message });
    }
    return true;
  }

  private persist(): void {
    if (!this.opts.stateFile) return;
    fs.mkdirSync(path.dirname(this.opts.stateFile), { recursive: true });
    const temp = `${this.opts.stateFile}.tmp`;
    fs.writeFileSync(temp, JSON.stringify(this.waivers));
    fs.renameSync(temp, this.opts.stateFile);
  }
}

function matches(w: Waiver, f: z.infer<typeof filterSchema>): boolean {
  if (f.subject_type && w.subject_type !== f.subject_type) return false;
  if (f.subject_identifier && w.subject_identifier !== f.subject_identifier) return false;
  if (f.testcase && w.testcase !== f.testcase) return false;
  if (f.scenario && w.scenario !== f.scenario) return false;
  if (f.product_version && w.product_version !== f.product_version) return false;
  if (f.username && w.username !== f.username) return false;
  if (f.proxied_by && w.proxied_by !== f.proxied_by) return false;
  if (f.since) {
    const [start, end] = f.since.split(",");
    const t = Date.parse(`${w.timestamp}Z`);
    const at = (s: string) => Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
    if (start && t < at(start)) return false;
    if (end && t > at(end)) return false;
  }
  return true;
}
