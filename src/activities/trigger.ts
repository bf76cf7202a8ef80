// What the release trigger and the nightly schedule do outside the workflow: find the artifacts a
// change of source packages affects (from composedb), and start a compose pipeline for them,
// idempotently: a retried activity never allocates a second compose id.
import type { Client } from "@temporalio/client";
import type { Config } from "../config.js";
import type { Db } from "../db/database.js";
import { affectedArtifacts, buildArtifactIndex, sourcePackagesOf, type Affected, type ArtifactContents } from "../domain/artifact-index.js";
import { startPipeline } from "../pipelines/service.js";
import type { ReleaseCatalog } from "../releases/catalog.js";
import { loadSnapshot } from "./snapshot.js";

export interface TriggerActivityDeps {
  db: Db;
  client: Client;
  releases: ReleaseCatalog;
  /** sign-off timers and build concurrency of the pipelines started */
  cfg: Config;
  /** the task queue pipelines run on */
  taskQueue: string;
  now?: () => Date;
}

export interface StartTriggeredInput {
  release: string;
  trigger: "bus" | "nightly";
  /** empty: every artifact of the release */
  artifacts: string[];
  /** one per batch/scheduled run, the same on every attempt */
  key: string;
}

/** Snapshots are immutable: their binary -> source package maps are kept, a few at a time. */
const SNAPSHOT_CACHE = 16;

export function createTriggerActivities(deps: TriggerActivityDeps) {
  const now = deps.now ?? (() => new Date());
  const snapshotSources = new Map<number, Promise<Map<string, string>>>();

  function sourcesOfSnapshot(id: number): Promise<Map<string, string>> {
    let cached = snapshotSources.get(id);
    if (!cached) {
      cached = loadSnapshot(deps.db, id).then((s) => {
        const names = new Map(s.builds.map((b) => [b.buildId, b.name]));
        return new Map(s.rpms.flatMap((r) => (names.has(r.buildId) ? [[r.nevra, names.get(r.buildId)!] as const] : [])));
      });
      cached.catch(() => snapshotSources.delete(id));
      snapshotSources.set(id, cached);
      if (snapshotSources.size > SNAPSHOT_CACHE) snapshotSources.delete(snapshotSources.keys().next().value!);
    }
    return cached;
  }

  /** Every artifact of the release with the source packages of its last successful build. */
  async function contentsOf(release: string): Promise<ArtifactContents[]> {
    const def = deps.releases.get(release);
    const names = def.artifacts.map((a) => a.name);
    // The same "last successful build" the planner compares against (plan.ts lastSuccessfulBuilds).
    const rows = await deps.db.artifactBuild.findMany({
      where: { release, artifact: { in: names }, state: "SUCCEEDED", fingerprint: { not: null } },
      orderBy: [{ finishedAt: "desc" }, { id: "desc" }],
      distinct: ["artifact"],
      select: { artifact: true, components: true, snapshotId: true },
    });
    const last = new Map(rows.map((r) => [r.artifact, r]));
    const contents: ArtifactContents[] = [];
    for (const name of names) {
      const row = last.get(name);
      if (!row || row.components.length === 0) {
        contents.push({ artifact: name, sources: null });
        continue;
      }
      const fromSnapshot = await sourcesOfSnapshot(row.snapshotId);
      const unknown = row.components.filter((n) => !fromSnapshot.has(n));
      // Components Koji recorded that were not in the tag snapshot: composedb may know their source RPM.
      const fromComposedb = new Map<string, string>();
      if (unknown.length > 0) {
        const rpms = await deps.db.rpm.findMany({ where: { nevra: { in: unknown } }, select: { nevra: true, srpm: { select: { name: true } } } });
        for (const r of rpms) if (r.srpm) fromComposedb.set(r.nevra, r.srpm.name);
      }
      contents.push({ artifact: name, sources: sourcePackagesOf(row.components, (n) => fromSnapshot.get(n) ?? fromComposedb.get(n)) });
    }
    return contents;
  }

  return {
    async affectedArtifacts(input: { release: string; packages: string[] }): Promise<Affected> {
      const index = buildArtifactIndex(await contentsOf(input.release));
      return affectedArtifacts(index, input.packages);
    },

    async startTriggeredPipeline(input: StartTriggeredInput): Promise<{ workflowId: string; composeId: string }> {
      // The key makes the start idempotent: a retried attempt gets the compose id the first
      // allocated, and starts its pipeline if the first died before doing so.
      return startPipeline(
        { client: deps.client, db: deps.db, cfg: deps.cfg, releases: deps.releases, taskQueue: deps.taskQueue, now },
        { release: input.release, trigger: input.trigger, artifacts: input.artifacts, triggerKey: input.key },
      );
    },
  };
}

export type TriggerActivities = ReturnType<typeof createTriggerActivities>;
