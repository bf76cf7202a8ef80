// The questions composedb answers. Loading is SQL; the comparing is the pure domain logic, so the
// CLI, the API and the pipelines give the same answers.
import type { Db } from "../db/database.js";
import type { ComposeStatus, ComposeType } from "../generated/prisma/enums.js";
import { compareArches, compareArchesBetween, type ArchComparison } from "../domain/arch-compare.js";
import type { ComposeContent, ComposeImage, ComposeRpm, RpmCategory } from "../domain/compose-content.js";
import { diffComposes, type ComposeDiff } from "../domain/compose-diff.js";
import { attributeSizeChange, type SizeAttribution } from "../domain/size-attribution.js";
import { comparePoints, identityKey, type SizeIdentity, type SizeSeries } from "../domain/size-history.js";

export class ComposeNotFound extends Error {
  override name = "ComposeNotFound";
  constructor(readonly composeId: string) {
    super(`compose ${composeId} is not in composedb (ingest it with: relengotron ingest <compose dir or URL>)`);
  }
}

export class ReleaseNotFound extends Error {
  override name = "ReleaseNotFound";
  constructor(readonly release: string) {
    super(`release ${release} is not in composedb`);
  }
}

async function composeRow(db: Db, composeId: string) {
  const row = await db.compose.findUnique({ where: { composeId } });
  if (!row) throw new ComposeNotFound(composeId);
  return row;
}

export interface ComposeListQuery {
  release?: string;
  type?: ComposeType;
  status?: ComposeStatus;
  /** newest first; at most this many */
  limit?: number;
}

export interface ComposeListItem {
  composeId: string;
  release: string;
  date: string;
  type: string;
  respin: number;
  label: string | null;
  final: boolean;
  status: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  ingestedAt: string;
  location: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** Composes, newest first (compose date, then respin), optionally of one release, type or status. */
export async function listComposes(db: Db, q: ComposeListQuery = {}): Promise<ComposeListItem[]> {
  const rows = await db.compose.findMany({
    where: { release: q.release ? { name: q.release } : undefined, type: q.type, status: q.status },
    orderBy: [{ date: "desc" }, { respin: "desc" }, { id: "desc" }],
    take: q.limit ?? 50,
    include: { release: { select: { name: true } } },
  });
  return rows.map(listItem);
}

function listItem(c: Awaited<ReturnType<typeof composeRow>> & { release: { name: string } }): ComposeListItem {
  return {
    composeId: c.composeId,
    release: c.release.name,
    date: c.date,
    type: c.type,
    respin: c.respin,
    label: c.label,
    final: c.final,
    status: c.status,
    startedAt: iso(c.startedAt),
    finishedAt: iso(c.finishedAt),
    ingestedAt: c.ingestedAt.toISOString(),
    location: c.location,
  };
}

export interface ComposeDetail extends ComposeListItem {
  variants: { uid: string; id: string; name: string; type: string; arches: string[]; parent: string | null }[];
  images: number;
  /** one per variant/arch/category, with its number of RPM entries */
  rpmSets: { variant: string; arch: string; category: RpmCategory; rpms: number }[];
  rpmEntries: number;
}

/** What one compose holds, counted: the summary behind GET /api/v1/composes/{id}. */
export async function composeDetail(db: Db, composeId: string): Promise<ComposeDetail> {
  const compose = await composeRow(db, composeId);
  const [release, variants, images, rpmSets] = await Promise.all([
    db.release.findUniqueOrThrow({ where: { id: compose.releaseId }, select: { name: true } }),
    db.variant.findMany({ where: { composeId: compose.id }, orderBy: { uid: "asc" } }),
    db.image.count({ where: { composeId: compose.id } }),
    db.$queryRaw<{ variant: string; arch: string; category: RpmCategory; rpms: number }[]>`
      SELECT "variantUid" AS variant, arch, category::text AS category, cardinality("rpmIds")::int AS rpms
      FROM "ComposeRpmSet" WHERE "composeId" = ${compose.id}
      ORDER BY "variantUid", arch, category`,
  ]);
  return {
    ...listItem({ ...compose, release }),
    variants: variants.map((v) => ({ uid: v.uid, id: v.variantId, name: v.name, type: v.type, arches: v.arches, parent: v.parentUid })),
    images,
    rpmSets,
    rpmEntries: rpmSets.reduce((sum, s) => sum + s.rpms, 0),
  };
}

/** Everything the comparisons need about one compose, from composedb. */
export async function loadComposeContent(db: Db, composeId: string): Promise<ComposeContent> {
  const compose = await composeRow(db, composeId);
  const [rows, images] = await Promise.all([
    db.$queryRaw<{ variant: string; arch: string; category: RpmCategory; nevra: string; srpm: string | null }[]>`
      SELECT s."variantUid" AS variant, s.arch, s.category::text AS category, r.nevra, sr.nevra AS srpm
      FROM "ComposeRpmSet" s
      CROSS JOIN LATERAL unnest(s."rpmIds") AS u(id)
      JOIN "Rpm" r ON r.id = u.id
      LEFT JOIN "Rpm" sr ON sr.id = r."srpmId"
      WHERE s."composeId" = ${compose.id}`,
    db.image.findMany({ where: { composeId: compose.id } }),
  ]);
  const rpms: ComposeContent["rpms"] = {};
  for (const row of rows) {
    const entry: ComposeRpm = { nevra: row.nevra, srpm: row.srpm ?? row.nevra, category: row.category };
    ((rpms[row.variant] ??= {})[row.arch] ??= []).push(entry);
  }
  return {
    composeId,
    rpms,
    images: images.map(composeImageOf),
  };
}

export async function diffComposeIds(db: Db, from: string, to: string): Promise<ComposeDiff> {
  const [a, b] = await Promise.all([loadComposeContent(db, from), loadComposeContent(db, to)]);
  return diffComposes(a, b);
}

export async function compareComposeArches(db: Db, composeId: string, vs?: string, arches?: string[]): Promise<ArchComparison> {
  const primary = await loadComposeContent(db, composeId);
  if (!vs) return compareArches(primary, arches);
  return compareArchesBetween(primary, await loadComposeContent(db, vs));
}

export interface ReleaseStatus {
  release: string;
  requiredVariants: string[];
  lastWorkingNightly: ComposeSummary | null;
  lastCompose: ComposeSummary | null;
  lastUpdatesPush: { stable: PushSummary | null; testing: PushSummary | null };
  /** what `latest` on the mirror holds, when relengotron publishes the release */
  mirror: MirrorStatus | null;
}

export interface MirrorStatus {
  composeId: string;
  pipelineId: string;
  publishedAt: string;
  artifacts: { artifact: string; builtIn: string | null; kept: boolean; keptReason: string | null; files: number; bytes: number }[];
}

export interface ComposeSummary {
  composeId: string;
  status: string | null;
  type: string;
  date: string;
  respin: number;
  finishedAt: string | null;
  variants: string[];
  /** listed in composeinfo but with no images and no RPMs: the variant failed */
  emptyVariants: string[];
  /** required variants absent or empty */
  missingRequiredVariants: string[];
}

export interface PushSummary {
  pushedAt: string;
  updates: string[];
  builds: number;
}

const STATUS_BATCH = 8;

/** Per release: the last nightly that worked, the last compose of any status, the last pushes. */
export async function releaseStatus(db: Db, releaseName?: string): Promise<ReleaseStatus[]> {
  const releases = await db.release.findMany({ where: releaseName ? { name: releaseName } : {}, orderBy: { name: "asc" } });
  if (releaseName && releases.length === 0) throw new ReleaseNotFound(releaseName);
  return Promise.all(
    releases.map(async (release) => {
      const composes = await db.compose.findMany({
        where: { releaseId: release.id },
        orderBy: [{ date: "desc" }, { respin: "desc" }],
        include: { variants: { select: { uid: true } } },
      });
      // Which variants have content is asked of the composes as they are looked at, newest first,
      // a batch at a time: the last working nightly is usually among the newest, and asking it of
      // every compose reads every RPM set of the release.
      const filled = new Map<number, Set<string>>();
      const loadFilled = async (batch: typeof composes) => {
        const ids = batch.map((c) => c.id).filter((id) => !filled.has(id));
        if (ids.length === 0) return;
        const found = await variantsWithContent(db, ids);
        for (const id of ids) filled.set(id, found.get(id) ?? new Set());
      };
      const summary = (c: (typeof composes)[number]): ComposeSummary => {
        const variants = c.variants.map((v) => v.uid).sort();
        const emptyVariants = variants.filter((v) => !filled.get(c.id)?.has(v));
        return {
          composeId: c.composeId,
          status: c.status,
          type: c.type,
          date: c.date,
          respin: c.respin,
          finishedAt: c.finishedAt?.toISOString() ?? null,
          variants,
          emptyVariants,
          missingRequiredVariants: release.requiredVariants.filter((v) => !variants.includes(v) || emptyVariants.includes(v)),
        };
      };
      // A nightly worked when it FINISHED or FINISHED_INCOMPLETE and every required variant has
      // content in it: a name in composeinfo.json is not a variant that was built.
      const works = (c: ComposeSummary) => (c.status === "FINISHED" || c.status === "FINISHED_INCOMPLETE") && c.missingRequiredVariants.length === 0;
      const nightlies = composes.filter((c) => c.type === "nightly");
      let working: ComposeSummary | undefined;
      for (let i = 0; i < nightlies.length && !working; i += STATUS_BATCH) {
        const batch = nightlies.slice(i, i + STATUS_BATCH);
        await loadFilled(batch);
        working = batch.map(summary).find(works);
      }
      await loadFilled(composes.slice(0, 1));
      const lastPush = async (request: "stable" | "testing"): Promise<PushSummary | null> => {
        const push = await db.updatesPush.findFirst({ where: { releaseId: release.id, request }, orderBy: { pushedAt: "desc" } });
        return push ? { pushedAt: push.pushedAt.toISOString(), updates: push.updates, builds: push.builds.length } : null;
      };
      return {
        release: release.name,
        requiredVariants: release.requiredVariants,
        lastWorkingNightly: working ?? null,
        lastCompose: composes[0] ? summary(composes[0]) : null,
        lastUpdatesPush: { stable: await lastPush("stable"), testing: await lastPush("testing") },
        mirror: await mirrorStatus(db, release.name),
      };
    }),
  );
}

/**
 * Per compose (row id): the variants that have images or RPMs in it. An RPM set counts when its id
 * array is larger than the empty array as stored: pg_column_size reads no array (cardinality would
 * detoast every one, hundreds of MiB for a release's history).
 */
async function variantsWithContent(db: Db, composeIds: number[]): Promise<Map<number, Set<string>>> {
  const out = new Map<number, Set<string>>();
  if (composeIds.length === 0) return out;
  const rows = await db.$queryRaw<{ composeId: number; variantUid: string }[]>`
    SELECT "composeId", "variantUid" FROM "Image" WHERE "composeId" = ANY(${composeIds}::int[])
    UNION
    SELECT "composeId", "variantUid" FROM "ComposeRpmSet" WHERE "composeId" = ANY(${composeIds}::int[]) AND pg_column_size("rpmIds") > pg_column_size('{}'::int[])`;
  for (const row of rows) {
    let set = out.get(row.composeId);
    if (!set) out.set(row.composeId, (set = new Set()));
    set.add(row.variantUid);
  }
  return out;
}

/** The publication `latest` points at: the newest one of the release's pipelines. */
async function mirrorStatus(db: Db, release: string): Promise<MirrorStatus | null> {
  const last = await db.publication.findFirst({ where: { release }, orderBy: [{ publishedAt: "desc" }, { id: "desc" }] });
  if (!last) return null;
  const rows = await db.publication.findMany({ where: { pipelineId: last.pipelineId }, orderBy: [{ artifact: "asc" }, { path: "asc" }] });
  const byArtifact = new Map<string, MirrorStatus["artifacts"][number]>();
  for (const row of rows) {
    const entry = byArtifact.get(row.artifact) ?? { artifact: row.artifact, builtIn: row.builtIn, kept: row.kept, keptReason: row.keptReason, files: 0, bytes: 0 };
    entry.files++;
    entry.bytes += Number(row.size);
    byArtifact.set(row.artifact, entry);
  }
  return { composeId: last.composeId, pipelineId: last.pipelineId, publishedAt: last.publishedAt.toISOString(), artifacts: [...byArtifact.values()] };
}

export interface SizeQuery {
  release?: string;
  variant?: string;
  subvariant?: string;
  type?: string;
  format?: string;
  arch?: string;
  /** compose dates, YYYYMMDD, inclusive */
  from?: string;
  to?: string;
}

/** Image sizes per identity across composes, oldest compose first. */
export async function sizeSeries(db: Db, q: SizeQuery = {}): Promise<SizeSeries[]> {
  const images = await db.image.findMany({
    where: {
      variantUid: q.variant,
      subvariant: q.subvariant,
      type: q.type,
      format: q.format,
      imageArch: q.arch,
      compose: { release: q.release ? { name: q.release } : undefined, date: { gte: q.from, lte: q.to } },
    },
    select: {
      variantUid: true,
      subvariant: true,
      type: true,
      format: true,
      imageArch: true,
      size: true,
      discNumber: true,
      compose: { select: { composeId: true, date: true, respin: true, release: { select: { name: true } } } },
    },
  });
  const series = new Map<string, SizeSeries>();
  for (const image of images) {
    // Multi-disc sets count as one image per identity: their total size.
    const identity: SizeIdentity = { release: image.compose.release.name, variant: image.variantUid, subvariant: image.subvariant, type: image.type, format: image.format, arch: image.imageArch };
    const s = series.get(identityKey(identity)) ?? { identity, points: [] };
    series.set(identityKey(identity), s);
    const existing = s.points.find((p) => p.composeId === image.compose.composeId);
    if (existing) existing.size += Number(image.size);
    else s.points.push({ composeId: image.compose.composeId, date: image.compose.date, respin: image.compose.respin, size: Number(image.size) });
  }
  return [...series.values()]
    .map((s) => ({ ...s, points: s.points.sort(comparePoints) }))
    .sort((a, b) => (identityKey(a.identity) < identityKey(b.identity) ? -1 : 1));
}

/** For an image whose size moved between two composes: which packages of its variant/arch entered or grew. */
export async function attributeImageSizeChange(
  db: Db,
  identity: Pick<SizeIdentity, "variant" | "arch">,
  from: string,
  to: string,
): Promise<SizeAttribution> {
  const [a, b] = await Promise.all([loadComposeContent(db, from), loadComposeContent(db, to)]);
  const pick = (c: ComposeContent) => c.rpms[identity.variant]?.[identity.arch] ?? [];
  const before = pick(a);
  const after = pick(b);
  const nevras = [...new Set([...before, ...after].map((r) => r.nevra))];
  const sized = await db.rpm.findMany({ where: { nevra: { in: nevras }, size: { not: null } }, select: { nevra: true, size: true } });
  const sizes = new Map(sized.map((r) => [r.nevra, Number(r.size)]));
  return attributeSizeChange(before, after, sizes.size > 0 ? sizes : undefined);
}

/** An image as the domain compares it: identity by the image's own arch (productmd images 1.1). */
function composeImageOf(i: { variantUid: string; imageArch: string; subvariant: string; type: string; format: string; discNumber: number; path: string; size: bigint; checksums: unknown }): ComposeImage {
  return {
    variant: i.variantUid,
    arch: i.imageArch,
    subvariant: i.subvariant,
    type: i.type,
    format: i.format,
    discNumber: i.discNumber,
    path: i.path,
    size: Number(i.size),
    checksums: i.checksums as Record<string, string>,
  };
}

/** An image of a compose page: `arch` is the tree it is listed under, `imageArch` its own. */
export interface ComposeImageRow extends ComposeImage {
  imageArch: string;
}

/** One compose's images with their sizes and checksums, by variant, arch and path. */
export async function composeImages(db: Db, composeId: string): Promise<ComposeImageRow[]> {
  const compose = await composeRow(db, composeId);
  const images = await db.image.findMany({ where: { composeId: compose.id }, orderBy: [{ variantUid: "asc" }, { arch: "asc" }, { path: "asc" }] });
  return images.map((i) => ({ ...composeImageOf(i), arch: i.arch, imageArch: i.imageArch }));
}
