// Rings in composedb: a load writes a release's rings and one history row per change (who, when,
// from which file, what moved), in one transaction; the questions `rings show` and
// /api/v1/rings… answer: a release's rings, a package's ring, an artifact's ring and why.
import { loadSnapshot } from "../activities/snapshot.js";
import type { Db } from "../db/database.js";
import { sourcePackagesOf } from "../domain/artifact-index.js";
import { definitionFromGroups, diffRings, RING_GROUP_TYPE, ringOfPackage, strictestRing, type ArtifactRing, type PackageRing, type RingChange, type RingsDefinition } from "../domain/rings.js";
import type { Prisma } from "../generated/prisma/client.js";

export class RingsNotLoaded extends Error {
  override name = "RingsNotLoaded";
  constructor(readonly release: string) {
    super(`no rings are loaded for ${release} (relengotron rings load)`);
  }
}

export class ArtifactNotBuilt extends Error {
  override name = "ArtifactNotBuilt";
  constructor(
    readonly release: string,
    readonly artifact: string,
  ) {
    super(`${release} has no successful build of ${artifact}: its components are unknown`);
  }
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

async function readRings(db: Db | Tx, release: string): Promise<RingsDefinition | null> {
  const groups = await db.componentGroup.findMany({ where: { release, groupType: RING_GROUP_TYPE } });
  return definitionFromGroups(release, groups);
}

export async function currentRings(db: Db, release: string): Promise<RingsDefinition> {
  const def = await readRings(db, release);
  if (!def) throw new RingsNotLoaded(release);
  return def;
}

export async function ringReleases(db: Db): Promise<string[]> {
  const rows = await db.componentGroup.findMany({ where: { groupType: RING_GROUP_TYPE }, distinct: ["release"], select: { release: true }, orderBy: { release: "asc" } });
  return rows.map((r) => r.release);
}

/** Writes `def` for its release; returns what changed (nothing: the same file loaded again). */
export async function loadRings(db: Db, def: RingsDefinition, who: { actor: string; source: string; at?: Date }): Promise<RingChange[]> {
  const at = who.at ?? new Date();
  return db.$transaction(async (tx) => {
    // one load at a time per release
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`rings:${def.release}`}))`;
    const changes = diffRings(await readRings(tx, def.release), def);
    if (!changes.length) return changes;
    const keep = def.rings.map((r) => r.name);
    await tx.componentGroup.deleteMany({ where: { release: def.release, groupType: RING_GROUP_TYPE, name: { notIn: keep } } });
    for (const ring of def.rings) {
      const data = { order: ring.order, description: ring.description, packages: ring.packages, isDefault: ring.name === def.defaultRing, updatedAt: at };
      await tx.componentGroup.upsert({
        where: { release_groupType_name: { release: def.release, groupType: RING_GROUP_TYPE, name: ring.name } },
        create: { release: def.release, groupType: RING_GROUP_TYPE, name: ring.name, ...data },
        update: data,
      });
    }
    await tx.componentGroupChange.createMany({
      data: changes.map((c) => ({
        release: def.release,
        groupType: RING_GROUP_TYPE,
        action: c.action,
        group: c.group,
        package: "package" in c ? c.package : null,
        fromGroup: "fromGroup" in c ? c.fromGroup : null,
        detail: ("detail" in c ? c.detail : {}) as Prisma.InputJsonObject,
        actor: who.actor,
        source: who.source,
        at,
      })),
    });
    return changes;
  });
}

export interface RingHistoryEntry {
  at: string;
  actor: string;
  source: string;
  release: string;
  action: string;
  group: string;
  package: string | null;
  fromGroup: string | null;
  detail: unknown;
}

export async function ringHistory(db: Db, q: { release?: string; package?: string; limit?: number }): Promise<RingHistoryEntry[]> {
  const rows = await db.componentGroupChange.findMany({
    where: { groupType: RING_GROUP_TYPE, ...(q.release ? { release: q.release } : {}), ...(q.package ? { package: q.package } : {}) },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: q.limit ?? 100,
  });
  return rows.map((r) => ({ at: r.at.toISOString(), actor: r.actor, source: r.source, release: r.release, action: r.action, group: r.group, package: r.package, fromGroup: r.fromGroup, detail: r.detail }));
}

export async function packageRing(db: Db, release: string, pkg: string): Promise<PackageRing> {
  return ringOfPackage(await currentRings(db, release), pkg);
}

export interface ArtifactRingAnswer extends ArtifactRing {
  release: string;
  artifact: string;
  /** the build whose recorded components were read */
  build: { pipelineId: string; composeId: string; finishedAt: string | null };
  packages: number;
}

/**
 * The strictest ring of the source packages in the artifact's last successful build (its recorded
 * components: binary NEVRAs, mapped to their source package through the build's tag snapshot,
 * then composedb's RPMs, else the binary's own name).
 */
export async function artifactRing(db: Db, release: string, artifact: string): Promise<ArtifactRingAnswer> {
  const def = await currentRings(db, release);
  const build = await db.artifactBuild.findFirst({
    where: { release, artifact, state: "SUCCEEDED" },
    orderBy: [{ finishedAt: "desc" }, { id: "desc" }],
    select: { pipelineId: true, composeId: true, finishedAt: true, components: true, snapshotId: true },
  });
  if (!build) throw new ArtifactNotBuilt(release, artifact);
  const fromSnapshot = new Map<string, string>();
  try {
    const snapshot = await loadSnapshot(db, build.snapshotId);
    const names = new Map(snapshot.builds.map((b) => [b.buildId, b.name]));
    for (const r of snapshot.rpms) if (names.has(r.buildId)) fromSnapshot.set(r.nevra, names.get(r.buildId)!);
  } catch {
    // a snapshot that is gone: composedb's RPMs still know most source packages
  }
  const unknown = build.components.filter((n) => !fromSnapshot.has(n));
  const fromComposedb = new Map<string, string>();
  if (unknown.length) {
    const rpms = await db.rpm.findMany({ where: { nevra: { in: unknown } }, select: { nevra: true, srpm: { select: { name: true } } } });
    for (const r of rpms) if (r.srpm) fromComposedb.set(r.nevra, r.srpm.name);
  }
  const sources = sourcePackagesOf(build.components, (n) => fromSnapshot.get(n) ?? fromComposedb.get(n));
  return {
    release,
    artifact,
    build: { pipelineId: build.pipelineId, composeId: build.composeId, finishedAt: build.finishedAt?.toISOString() ?? null },
    packages: sources.length,
    ...strictestRing(def, sources),
  };
}
