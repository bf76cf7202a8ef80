// What the overview shows, gathered in one go: composedb's release status, the recent updates
// pushes for the timeline, and the pipelines running in Temporal with their sign-off waits.
import type { Client } from "@temporalio/client";
import { releaseStatus, type ReleaseStatus } from "../../composedb/queries.js";
import type { Db } from "../../db/database.js";
import { listPipelines } from "../../pipelines/service.js";
import { signoffWait, type SignoffWait } from "../../pipelines/signoff-wait.js";

export type PipelineSummary = Awaited<ReturnType<typeof listPipelines>>[number];

export interface Push {
  request: string;
  pushedAt: string;
  updates: number;
  builds: number;
}

export interface OverviewData {
  now: Date;
  releases: ReleaseStatus[];
  /** per release, newest first */
  pushes: Map<string, Push[]>;
  /** running pipelines, newest first; the waiting ones with their wait */
  pipelines: (PipelineSummary & { wait?: SignoffWait })[];
  /** Temporal could not be asked: the composedb part still shows */
  temporalError?: string;
}

const PUSHES_SHOWN = 60;

export async function overviewData(deps: { db: Db; client: Client }, release: string | undefined, now = new Date()): Promise<OverviewData> {
  const [releases, running] = await Promise.all([
    releaseStatus(deps.db, release),
    listPipelines(deps.client, { release, running: true, limit: 200 }).then(
      (list) => ({ list }),
      (error: Error) => ({ list: [] as PipelineSummary[], error: error.message }),
    ),
  ]);
  const pushes = new Map<string, Push[]>();
  await Promise.all(
    releases.map(async (r) => {
      const rows = await deps.db.updatesPush.findMany({
        where: { release: { name: r.release } },
        orderBy: { pushedAt: "desc" },
        take: PUSHES_SHOWN,
        select: { request: true, pushedAt: true, updates: true, builds: true },
      });
      pushes.set(r.release, rows.map((p) => ({ request: p.request, pushedAt: p.pushedAt.toISOString(), updates: p.updates.length, builds: p.builds.length })));
    }),
  );
  const pipelines = await Promise.all(
    running.list.map(async (p) => (p.stage === "awaiting-signoff" ? { ...p, wait: await signoffWait(deps.client, p.workflowId).catch(() => undefined) } : p)),
  );
  return { now, releases, pushes, pipelines, temporalError: "error" in running ? running.error : undefined };
}
