// Input snapshots: the compose tag's content at one Koji event, so a build tagged while the
// pipeline runs cannot tear it. Stored in composedb; the workflow only carries its id.
import { z } from "zod";
import type { KojiClient } from "../clients/koji.js";
import type { Db } from "../db/database.js";
import { canonicalJson, sha256Hex } from "../domain/sha256.js";
import type { ReleaseCatalog } from "../releases/catalog.js";

export const snapshotBuildSchema = z.object({
  buildId: z.number(),
  nvr: z.string(),
  name: z.string(),
  epoch: z.number(),
  version: z.string(),
  release: z.string(),
});
export const snapshotRpmSchema = z.object({
  /** Koji's RPM id */
  id: z.number(),
  nevra: z.string(),
  name: z.string(),
  arch: z.string(),
  buildId: z.number(),
  size: z.number(),
});
export type SnapshotBuild = z.infer<typeof snapshotBuildSchema>;
export type SnapshotRpm = z.infer<typeof snapshotRpmSchema>;

export interface Snapshot {
  id: number;
  release: string;
  tag: string;
  kojiEvent: number;
  digest: string;
  builds: SnapshotBuild[];
  rpms: SnapshotRpm[];
}

export function nevraOf(rpm: { name: string; epoch: number | null; version: string; release: string; arch: string }): string {
  return `${rpm.name}-${rpm.epoch ?? 0}:${rpm.version}-${rpm.release}.${rpm.arch}`;
}

export async function loadSnapshot(db: Db, id: number): Promise<Snapshot> {
  const row = await db.inputSnapshot.findUnique({ where: { id } });
  if (!row) throw new Error(`input snapshot ${id} does not exist`);
  return {
    id: row.id,
    release: row.release,
    tag: row.tag,
    kojiEvent: row.kojiEvent,
    digest: row.digest,
    builds: z.array(snapshotBuildSchema).parse(row.builds),
    rpms: z.array(snapshotRpmSchema).parse(row.rpms),
  };
}

/** Binary package "name.arch" -> NEVRA in the snapshot (the latest build wins, as in Koji). */
export function tagRpmIndex(snapshot: Pick<Snapshot, "rpms">): Map<string, string> {
  const index = new Map<string, string>();
  for (const rpm of snapshot.rpms) if (rpm.arch !== "src") index.set(`${rpm.name}.${rpm.arch}`, rpm.nevra);
  return index;
}

/** The compose tag's content at Koji's current event (nothing is stored). */
export async function takeSnapshot(koji: KojiClient, release: string, tag: string): Promise<Omit<Snapshot, "id">> {
  const event = await koji.getLastEvent();
  const options = { event: event.id, inherit: true, latest: true };
  const [builds, tagged] = await Promise.all([koji.listTagged(tag, options), koji.listTaggedRPMS(tag, options)]);
  const snapshotBuilds: SnapshotBuild[] = builds
    .map((b) => ({ buildId: b.build_id, nvr: b.nvr, name: b.name, epoch: b.epoch ?? 0, version: b.version, release: b.release }))
    .sort((a, b) => (a.nvr < b.nvr ? -1 : 1));
  const snapshotRpms: SnapshotRpm[] = tagged.rpms
    .map((r) => ({ id: r.id, nevra: nevraOf(r), name: r.name, arch: r.arch, buildId: r.build_id ?? 0, size: r.size }))
    .sort((a, b) => (a.nevra < b.nevra ? -1 : 1));
  const digest = sha256Hex(canonicalJson(snapshotRpms.map((r) => r.nevra)));
  return { release, tag, kojiEvent: event.id, digest, builds: snapshotBuilds, rpms: snapshotRpms };
}

export function createSnapshotActivities(deps: { db: Db; koji: KojiClient; releases: ReleaseCatalog }) {
  return {
    async snapshotInputs(input: { pipelineId: string; release: string }) {
      const def = deps.releases.get(input.release);
      const s = await takeSnapshot(deps.koji, input.release, def.koji.tag);
      const row = await deps.db.inputSnapshot.upsert({
        where: { release_tag_kojiEvent: { release: s.release, tag: s.tag, kojiEvent: s.kojiEvent } },
        create: { release: s.release, tag: s.tag, kojiEvent: s.kojiEvent, builds: s.builds, rpms: s.rpms, digest: s.digest },
        update: {},
      });
      return { snapshotId: row.id, kojiEvent: s.kojiEvent, digest: s.digest, builds: s.builds.length, rpms: s.rpms.length };
    },
  };
}
