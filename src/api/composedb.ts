// /api/v1 composedb routes, read-only: the answers of `relengotron diff|arches|status|sizes`, plus
// the compose list and one compose's summary. Same query functions as the CLI, so same answers.
import { z } from "zod";
import {
  attributeImageSizeChange,
  compareComposeArches,
  composeDetail,
  ComposeNotFound,
  diffComposeIds,
  listComposes,
  ReleaseNotFound,
  releaseStatus,
  sizeSeries,
  type SizeQuery,
} from "../composedb/queries.js";
import type { Db } from "../db/database.js";
import { growersAndShrinkers, identityLabel, renderSizePlot, seriesToCsv, sizeTrends } from "../domain/size-history.js";
import { ComposeStatus, ComposeType } from "../generated/prisma/enums.js";
import { HttpError, json, type Reply, type Router } from "./http.js";
import { composeId, limit as limitOf, ONE, parseQuery, required, text } from "./query.js";

export interface ComposedbDeps {
  db: Db;
}

const MAX_LIMIT = 1000;

const name = text(200);
const date = z.string(ONE).regex(/^\d{8}$/, "expected a compose date YYYYMMDD");
const arch = z.string(ONE).regex(/^[a-z0-9_]+$/, "expected an arch such as x86_64");
const limit = (fallback: number) => limitOf(fallback, MAX_LIMIT);

export const listSchema = z.strictObject({
  release: name.optional(),
  type: z.enum(Object.values(ComposeType), { error: `expected one of ${Object.values(ComposeType).join(", ")}` }).optional(),
  status: z.enum(Object.values(ComposeStatus), { error: `expected one of ${Object.values(ComposeStatus).join(", ")}` }).optional(),
  limit: limit(50),
});

export const diffSchema = z.strictObject({ from: required(composeId, "a compose id"), to: required(composeId, "a compose id") });

export const archesSchema = z
  .strictObject({
    compose: required(composeId, "a compose id"),
    vs: composeId.optional(),
    // "x86_64,aarch64", or the parameter repeated
    arch: z
      .union([z.string(), z.array(z.string())])
      .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean))
      .pipe(z.array(arch).min(1, "expected at least one arch"))
      .optional(),
  })
  .refine((q) => !(q.vs && q.arch), { message: "arch selects arches within one compose; it cannot be combined with vs", path: ["arch"] });

const statusSchema = z.strictObject({ release: name.optional() });

const identityFields = {
  release: name.optional(),
  variant: name.optional(),
  subvariant: name.optional(),
  type: name.optional(),
  format: name.optional(),
  arch: arch.optional(),
  from: date.optional(),
  to: date.optional(),
};
const window = (q: { from?: string; to?: string }) => !q.from || !q.to || q.from <= q.to;
const windowError = { message: "from must not be after to", path: ["from"] };
export const sizesSchema = z.strictObject({ ...identityFields, limit: limit(10) }).refine(window, windowError);
const sizesCsvSchema = z.strictObject(identityFields).refine(window, windowError);
const explainSchema = z.strictObject({
  variant: required(name, "the image's variant uid"),
  arch: required(arch, "the image's arch"),
  from: required(composeId, "the compose id before the change"),
  to: required(composeId, "the compose id after the change"),
});

/** Lookups of things composedb does not hold are 404s naming them; anything else is not ours to map. */
function asHttp(error: unknown): never {
  if (error instanceof ComposeNotFound) throw new HttpError(404, error.message, { composeId: error.composeId });
  if (error instanceof ReleaseNotFound) throw new HttpError(404, error.message, { release: error.release });
  throw error;
}

function sizeQuery(q: z.output<typeof sizesCsvSchema>): SizeQuery {
  const { release, variant, subvariant, type, format, arch, from, to } = q;
  return { release, variant, subvariant, type, format, arch, from, to };
}

const textReply = (contentType: string, body: string): Reply => ({ status: 200, text: body, contentType });

export function composedbRoutes(router: Router, deps: ComposedbDeps): void {
  const { db } = deps;
  router
    .on("GET", "/api/v1/composes", async ({ query }) => {
      const q = parseQuery(listSchema, query);
      return json(200, { composes: await listComposes(db, q) });
    })
    .on("GET", "/api/v1/composes/:composeId", async ({ params }) => {
      const id = composeId.safeParse(params.composeId);
      if (!id.success) throw new HttpError(400, `invalid compose id ${JSON.stringify(params.composeId)}: ${id.error.issues[0]!.message}`);
      return json(200, await composeDetail(db, id.data).catch(asHttp));
    })
    .on("GET", "/api/v1/diff", async ({ query }) => {
      const q = parseQuery(diffSchema, query);
      return json(200, await diffComposeIds(db, q.from, q.to).catch(asHttp));
    })
    .on("GET", "/api/v1/arches", async ({ query }) => {
      const q = parseQuery(archesSchema, query);
      return json(200, await compareComposeArches(db, q.compose, q.vs, q.arch).catch(asHttp));
    })
    .on("GET", "/api/v1/status", async ({ query }) => {
      const q = parseQuery(statusSchema, query);
      return json(200, { releases: await releaseStatus(db, q.release).catch(asHttp) });
    })
    .on("GET", "/api/v1/sizes", async ({ query }) => {
      const q = parseQuery(sizesSchema, query);
      const series = await sizeSeries(db, sizeQuery(q));
      return json(200, { series, ...growersAndShrinkers(sizeTrends(series, { from: q.from, to: q.to }), q.limit) });
    })
    .on("GET", "/api/v1/sizes.csv", async ({ query }) => {
      const q = parseQuery(sizesCsvSchema, query);
      return textReply("text/csv; charset=utf-8", seriesToCsv(await sizeSeries(db, sizeQuery(q))));
    })
    .on("GET", "/api/v1/sizes/plot.svg", async ({ query }) => {
      const q = parseQuery(sizesCsvSchema, query);
      const series = await sizeSeries(db, sizeQuery(q));
      const asked = Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join(", ");
      if (series.length === 0) throw new HttpError(404, asked ? `no image matches ${asked}` : "composedb holds no images");
      if (series.length > 1) {
        const labels = series.map((s) => identityLabel(s.identity));
        throw new HttpError(
          400,
          `${asked || "no filters"} matches ${series.length} images; a plot shows one: narrow with variant, subvariant, type, format and arch (matches: ${labels.join(", ")})`,
          series.map((s) => ({ ...s.identity, label: identityLabel(s.identity) })),
        );
      }
      return textReply("image/svg+xml; charset=utf-8", renderSizePlot(series[0]!));
    })
    .on("GET", "/api/v1/sizes/explain", async ({ query }) => {
      const q = parseQuery(explainSchema, query);
      const attribution = await attributeImageSizeChange(db, { variant: q.variant, arch: q.arch }, q.from, q.to).catch(asHttp);
      return json(200, { variant: q.variant, arch: q.arch, from: q.from, to: q.to, ...attribution });
    });
}
