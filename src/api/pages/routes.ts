// The dashboard's pages: each validates its query with the same zod schema as the /api/v1 route
// it shows, loads with the same query functions, and renders HTML on the server.
import { WorkflowNotFoundError } from "@temporalio/client";
import { z } from "zod";
import { ComposeNotFound, ReleaseNotFound, composeDetail, composeImages, compareComposeArches, diffComposeIds, listComposes, sizeSeries } from "../../composedb/queries.js";
import { PIPELINE_STAGES } from "../../domain/pipeline.js";
import { growersAndShrinkers, sizeTrends } from "../../domain/size-history.js";
import { getPipeline, listPipelines, PipelineError, type PipelineDeps } from "../../pipelines/service.js";
import { signoffWait } from "../../pipelines/signoff-wait.js";
import { archesSchema, diffSchema, listSchema as composeListSchema, sizesSchema } from "../composedb.js";
import { HttpError, type Router } from "../http.js";
import { listSchema as pipelineListSchema } from "../pipelines.js";
import { composeId, parseQuery, releaseName } from "../query.js";
import { renderArches, renderArchesPicker } from "./arches.js";
import { assetRoutes } from "./assets.js";
import { renderComposeDetail, renderComposeList } from "./composes.js";
import { renderDiff, renderDiffPicker } from "./diff.js";
import { htmlErrors } from "./layout.js";
import { pageLinks } from "./links.js";
import { renderOverview } from "./overview.js";
import { overviewData } from "./overview-data.js";
import { renderPipeline, renderPipelineList } from "./pipeline.js";
import { renderSizes } from "./sizes.js";

const overviewSchema = z.strictObject({ release: releaseName.optional() });

/** composedb's "not found" as a 404 naming what was missing; the rest is not ours to map. */
function notFound(error: unknown): never {
  if (error instanceof ComposeNotFound || error instanceof ReleaseNotFound) throw new HttpError(404, error.message);
  if (error instanceof PipelineError && error.kind === "not-found") throw new HttpError(404, error.message);
  if (error instanceof PipelineError) throw new HttpError(400, error.message);
  throw error;
}

export function pageRoutes(router: Router, deps: PipelineDeps): void {
  const { db, client } = deps;
  const links = pageLinks(deps.cfg);
  const now = () => deps.now?.() ?? new Date();
  const releases = async () => (await db.release.findMany({ select: { name: true }, orderBy: { name: "asc" } })).map((r) => r.name);
  const recent = () => listComposes(db, { limit: 200 });
  assetRoutes(router);
  router
    .on("GET", "/overview", ({ query }) =>
      htmlErrors("overview", "Overview", async () => {
        const q = parseQuery(overviewSchema, query);
        return renderOverview(await overviewData({ db, client }, q.release, now()).catch(notFound), q.release);
      }),
    )
    .on("GET", "/composes", ({ query }) =>
      htmlErrors("composes", "Composes", async () => {
        const q = parseQuery(composeListSchema, query);
        const [composes, names] = await Promise.all([listComposes(db, q), releases()]);
        return renderComposeList(composes, names, q, now());
      }),
    )
    .on("GET", "/composes/:composeId", ({ params }) =>
      htmlErrors("composes", "Compose", async () => {
        const id = composeId.safeParse(params.composeId);
        if (!id.success) throw new HttpError(400, `invalid compose id ${JSON.stringify(params.composeId)}: ${id.error.issues[0]!.message}`);
        const [detail, images] = await Promise.all([composeDetail(db, id.data), composeImages(db, id.data)]).catch(notFound);
        return renderComposeDetail(detail, images, now());
      }),
    )
    .on("GET", "/diff", ({ query }) =>
      htmlErrors("diff", "Diff", async () => {
        if (!query.get("from") && !query.get("to")) return renderDiffPicker(await recent());
        const q = parseQuery(diffSchema, query);
        const [diff, list] = await Promise.all([diffComposeIds(db, q.from, q.to).catch(notFound), recent()]);
        return renderDiff(diff, list);
      }),
    )
    .on("GET", "/arches", ({ query }) =>
      htmlErrors("arches", "Arches", async () => {
        if (!query.get("compose") && !query.get("vs")) return renderArchesPicker(await recent());
        const q = parseQuery(archesSchema, query);
        const [cmp, list] = await Promise.all([compareComposeArches(db, q.compose, q.vs, q.arch).catch(notFound), recent()]);
        return renderArches(cmp, q, list);
      }),
    )
    .on("GET", "/sizes", ({ query }) =>
      htmlErrors("sizes", "Sizes", async () => {
        const q = parseQuery(sizesSchema, query);
        const { limit: _limit, ...filters } = q;
        const [series, names] = await Promise.all([sizeSeries(db, filters), releases()]);
        return renderSizes(q, series, growersAndShrinkers(sizeTrends(series, { from: q.from, to: q.to }), q.limit), names);
      }),
    )
    .on("GET", "/pipelines", ({ query }) =>
      htmlErrors("pipelines", "Pipelines", async () => {
        const q = parseQuery(pipelineListSchema, query);
        return renderPipelineList(await listPipelines(client, q).catch(notFound), q, PIPELINE_STAGES, now());
      }),
    )
    .on("GET", "/pipelines/:id*", ({ params }) =>
      htmlErrors("pipelines", "Pipeline", async () => {
        const workflowId = params.id!;
        if (/[\u0000-\u001f\u007f]/.test(workflowId) || workflowId.length > 400) throw new HttpError(400, "invalid pipeline id");
        const view = await getPipeline(client, workflowId).catch(notFound);
        const [description, wait, audit] = await Promise.all([
          client.workflow.getHandle(workflowId).describe().catch((e: unknown) => (e instanceof WorkflowNotFoundError ? undefined : Promise.reject(e))),
          view.stage === "awaiting-signoff" ? signoffWait(client, workflowId).catch(() => undefined) : undefined,
          db.signoffAudit.findMany({ where: { pipelineId: workflowId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: 200 }),
        ]);
        return renderPipeline({ view, runId: description?.runId, wait, audit, links, now: now() });
      }),
    );
}
