// WaiverDB's REST API v1.0 at its API root (e.g. https://waiverdb.fedoraproject.org/api/v1.0):
// waivers are read the way Greenwave reads them (`POST /waivers/+filtered`,
// greenwave/resources.py WaiversRetriever) and created with `POST /waivers/`
// (release-engineering/waiverdb: waiverdb/api_v1.py, waiverdb/fields.py).
import { z } from "zod";

export const waiverSchema = z.looseObject({
  id: z.number().int(),
  subject_type: z.string(),
  subject_identifier: z.string(),
  subject: z.record(z.string(), z.string()).optional(),
  testcase: z.string(),
  scenario: z.string().nullable().optional(),
  username: z.string().nullable().optional(),
  proxied_by: z.string().nullable().optional(),
  product_version: z.string(),
  waived: z.boolean(),
  comment: z.string().nullable().optional(),
  timestamp: z.string(),
});
export type Waiver = z.infer<typeof waiverSchema>;

/** One filter of `+filtered`: its keys are ANDed, the filters ORed. */
export interface WaiverFilter {
  subject_type?: string;
  subject_identifier?: string;
  testcase?: string;
  scenario?: string;
  product_version?: string;
  username?: string;
  proxied_by?: string;
  /** `start[,end]`, ISO 8601 */
  since?: string;
}

export interface NewWaiver {
  subject_type: string;
  subject_identifier: string;
  testcase: string;
  product_version: string;
  waived: boolean;
  comment: string;
  scenario?: string;
  /** on whose behalf a superuser proxies */
  username?: string;
}

const listSchema = z.looseObject({ data: z.array(waiverSchema) });

export class WaiverDbApi {
  constructor(
    readonly apiRoot: string,
    /** sent as `Authorization` when creating waivers (WaiverDB deployments use OIDC bearer tokens) */
    private readonly authorization?: string,
  ) {}

  private url(path: string): string {
    return `${this.apiRoot.replace(/\/+$/, "")}${path}`;
  }

  /** Waivers matching any of the filters; obsolete ones (superseded by a newer waiver) left out, as WaiverDB does by default. */
  async filtered(filters: WaiverFilter[], includeObsolete = false): Promise<Waiver[]> {
    if (!filters.length) return [];
    const url = this.url("/waivers/+filtered");
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(includeObsolete ? { filters, include_obsolete: true } : { filters }),
    });
    if (!res.ok) throw new Error(`WaiverDB: POST ${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    const parsed = listSchema.safeParse(await res.json());
    if (!parsed.success) throw new Error(`WaiverDB: unexpected answer from POST ${url}: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
    return parsed.data.data;
  }

  async create(waiver: NewWaiver): Promise<Waiver> {
    const url = this.url("/waivers/");
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (this.authorization) headers.Authorization = this.authorization;
    const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(waiver) });
    if (res.status !== 201) throw new Error(`WaiverDB: POST ${url} answered ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return waiverSchema.parse(await res.json());
  }
}
