// /api/v1/rings…, read-only, no token needed: the same answers as `relengotron rings show`.
//   GET /api/v1/rings[?release=R]                 the rings of each release (or of R)
//   GET /api/v1/rings/history[?release=&package=&limit=]   every change: who, when, what moved
//   GET /api/v1/rings/packages/{package}?release=R   a package's ring
//   GET /api/v1/rings/artifacts/{artifact}?release=R the strictest ring of an artifact's packages
import { z } from "zod";
import { ArtifactNotBuilt, artifactRing, currentRings, packageRing, ringHistory, ringReleases, RingsNotLoaded } from "../composedb/rings.js";
import type { Db } from "../db/database.js";
import { HttpError, json, type Router } from "./http.js";
import { limit, parseQuery, releaseName, required } from "./query.js";

const name = z.string().max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "expected a package or artifact name");
const listSchema = z.strictObject({ release: releaseName.optional() });
const historySchema = z.strictObject({ release: releaseName.optional(), package: name.optional(), limit: limit(100, 1000) });
const oneSchema = z.strictObject({ release: required(releaseName, "a release such as Fedora-Rawhide") });

function asHttp(error: unknown): never {
  if (error instanceof RingsNotLoaded) throw new HttpError(404, error.message, { release: error.release });
  if (error instanceof ArtifactNotBuilt) throw new HttpError(404, error.message, { release: error.release, artifact: error.artifact });
  throw error;
}

function pathName(value: string | undefined): string {
  const parsed = name.safeParse(value);
  if (!parsed.success) throw new HttpError(400, `invalid name ${JSON.stringify(value)}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

export function ringRoutes(router: Router, deps: { db: Db }): void {
  const { db } = deps;
  router
    .on("GET", "/api/v1/rings", async ({ query }) => {
      const q = parseQuery(listSchema, query);
      const releases = q.release ? [q.release] : await ringReleases(db);
      return json(200, { releases: await Promise.all(releases.map((r) => currentRings(db, r))).catch(asHttp) });
    })
    .on("GET", "/api/v1/rings/history", async ({ query }) => {
      const q = parseQuery(historySchema, query);
      return json(200, { changes: await ringHistory(db, q) });
    })
    .on("GET", "/api/v1/rings/packages/:name", async ({ params, query }) => {
      const q = parseQuery(oneSchema, query);
      return json(200, { release: q.release, ...(await packageRing(db, q.release, pathName(params.name)).catch(asHttp)) });
    })
    .on("GET", "/api/v1/rings/artifacts/:name", async ({ params, query }) => {
      const q = parseQuery(oneSchema, query);
      return json(200, await artifactRing(db, q.release, pathName(params.name)).catch(asHttp));
    });
}
