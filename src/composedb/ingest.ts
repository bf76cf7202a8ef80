// Ingest one compose's productmd metadata into composedb, in one transaction: the compose, its
// variants and images, and its RPMs. rpms.json streams through a temporary table in batches, so
// memory stays bounded however large the file; set-based SQL then stores each distinct NEVRA
// once and the compose's membership as one id array per variant/arch/category.
import path from "node:path";
import type { Db } from "../db/database.js";
import { ensureRelease } from "./releases.js";
import { parseNevra } from "../domain/nevra.js";
import { readCompose, type ComposeMetadata } from "../productmd/reader.js";
import { ProductmdError } from "../productmd/errors.js";
import type { ImageEntry, RpmEntry } from "../productmd/model.js";

export interface IngestOptions {
  /** overrides the STATUS file (e.g. from a pungi.compose.status.change message) */
  status?: "STARTED" | "FINISHED" | "FINISHED_INCOMPLETE" | "DOOMED" | "TERMINATED";
  startedAt?: Date;
  finishedAt?: Date;
  /** rows per batch into the staging table (default DEFAULT_BATCH_SIZE) */
  batchSize?: number;
  /** called as batches are written: an activity heartbeats with it */
  onProgress?: (rpmEntries: number) => void;
}

/**
 * Small on purpose. Prisma's debug module keeps the arguments of its last 100 calls even with
 * debugging off, and the driver adapter passes it every query with its parameters: each batch
 * stays in memory for the next 100 queries. Peak memory is therefore about 100 batches; at 250
 * rows a Rawhide-sized ingest peaks near 340 MB RSS (5000 rows: 1.4 GB) and is no slower.
 */
export const DEFAULT_BATCH_SIZE = 250;

export interface IngestResult {
  composeId: string;
  release: string;
  /** false: the compose was already in composedb (only its status may have changed) */
  created: boolean;
  variants: number;
  images: number;
  rpmEntries: number;
  status: string | null;
}

const STAGING_COLUMNS = [
  ["variant", "text"],
  ["arch", "text"],
  ["category", "text"],
  ["nevra", "text"],
  ["name", "text"],
  ["epoch", "int"],
  ["version", "text"],
  ["release", "text"],
  ["rarch", "text"],
  ["srpm", "text"],
  ["s_name", "text"],
  ["s_epoch", "int"],
  ["s_version", "text"],
  ["s_release", "text"],
  ["s_arch", "text"],
  ["path", "text"],
  ["path_dir", "text"],
  ["sigkey", "text"],
] as const;

/** The directory of a Pungi package path: `<dir>/<first letter>/<file>`; null when it isn't one. */
export function packageDir(rpmPath: string): string | null {
  const file = path.posix.basename(rpmPath);
  const suffix = `/${file[0]!.toLowerCase()}/${file}`;
  return rpmPath.endsWith(suffix) && rpmPath.length > suffix.length ? rpmPath.slice(0, -suffix.length) : null;
}

function stagingRow(entry: RpmEntry): unknown[] {
  const rpm = parseNevra(entry.nevra);
  const srpm = parseNevra(entry.srpmNevra);
  return [
    entry.variant, entry.arch, entry.category, entry.nevra, rpm.name, rpm.epoch, rpm.version, rpm.release, rpm.arch,
    entry.srpmNevra, srpm.name, srpm.epoch, srpm.version, srpm.release, srpm.arch, entry.path, packageDir(entry.path), entry.sigkey,
  ];
}

export function releaseNameOf(meta: Pick<ComposeMetadata, "composeinfo">): string {
  const r = meta.composeinfo.release;
  return `${r.short}-${r.version}`;
}

export async function ingestCompose(db: Db, location: string, opts: IngestOptions = {}): Promise<IngestResult> {
  const meta = await readCompose(location);
  const ci = meta.composeinfo;
  const composeId = ci.compose.id;
  const release = releaseNameOf(meta);
  const status = opts.status ?? meta.status?.status ?? null;
  const finished = status !== null && status !== "STARTED";
  const finishedAt = opts.finishedAt ?? (finished ? meta.status?.mtime ?? null : null);

  // Same compose again: nothing is duplicated; a newer status (STARTED -> FINISHED) is recorded.
  const again = async (): Promise<IngestResult | null> => {
    const existing = await db.compose.findUnique({ where: { composeId } });
    if (!existing) return null;
    if (status && status !== existing.status) {
      await db.compose.update({
        where: { composeId },
        data: { status, finishedAt: finishedAt ?? existing.finishedAt, startedAt: opts.startedAt ?? existing.startedAt },
      });
    }
    const [variants, images] = await Promise.all([db.variant.count({ where: { composeId: existing.id } }), db.image.count({ where: { composeId: existing.id } })]);
    return { composeId, release, created: false, variants, images, rpmEntries: 0, status: status ?? existing.status };
  };
  const existing = await again();
  if (existing) return existing;

  let rpmEntries = 0;
  // checked before the transaction: a broken images.json writes nothing
  const images = meta.images ? imagesToStore(meta.images.images, meta.files.images!) : [];
  try {
    await db.$transaction(
      async (tx) => {
        const releaseRow = await ensureRelease(tx, { name: release, short: ci.release.short, version: ci.release.version, type: ci.release.type });
        const compose = await tx.compose.create({
          data: {
            composeId,
            releaseId: releaseRow.id,
            date: ci.compose.date,
            type: ci.compose.type,
            respin: ci.compose.respin,
            label: ci.compose.label,
            final: ci.compose.final,
            status,
            startedAt: opts.startedAt ?? null,
            finishedAt,
            location: meta.location.topDir,
            productmd: {
              headers: { composeinfo: ci.headerVersion, images: meta.images?.headerVersion ?? null },
              release: ci.release,
              baseProduct: ci.baseProduct,
            },
          },
        });
        await tx.variant.createMany({
          data: ci.variants.map((v) => ({
            composeId: compose.id,
            uid: v.uid,
            variantId: v.id,
            name: v.name,
            type: v.type,
            arches: v.arches,
            parentUid: v.parent,
            paths: v.paths,
          })),
        });
        if (images.length > 0) {
          await tx.image.createMany({
            data: images.map((i) => ({
              composeId: compose.id,
              variantUid: i.variant,
              arch: i.arch,
              imageArch: i.imageArch,
              type: i.type,
              format: i.format,
              subvariant: i.subvariant,
              path: i.path,
              size: BigInt(i.size),
              checksums: i.checksums,
              bootable: i.bootable,
              volumeId: i.volumeId,
              implantMd5: i.implantMd5,
              mtime: BigInt(i.mtime),
              discNumber: i.discNumber,
              discCount: i.discCount,
              listedUnder: i.listedUnder,
            })),
          });
        }
        if (meta.rpms) {
          await tx.$executeRawUnsafe(
            `CREATE TEMP TABLE ingest_rpm (${STAGING_COLUMNS.map(([n, t]) => `${n} ${t}`).join(", ")}) ON COMMIT DROP`,
          );
          const insert = `INSERT INTO ingest_rpm SELECT * FROM unnest(${STAGING_COLUMNS.map(([, t], i) => `$${i + 1}::${t}[]`).join(", ")})`;
          for await (const batch of meta.rpms.batches(opts.batchSize ?? DEFAULT_BATCH_SIZE)) {
            const columns = STAGING_COLUMNS.map(() => [] as unknown[]);
            for (const entry of batch) stagingRow(entry).forEach((value, i) => columns[i]!.push(value));
            await tx.$executeRawUnsafe(insert, ...columns);
            rpmEntries += batch.length;
            opts.onProgress?.(rpmEntries);
          }
          await storeRpms(tx, compose.id);
        }
      },
      { timeout: 60 * 60 * 1000, maxWait: 60_000 },
    );
  } catch (error) {
    // Another ingest of the same compose (a bus message and a CLI run, say) committed first.
    if (isUniqueViolation(error)) {
      const result = await again();
      if (result) return result;
    }
    throw error;
  }
  return { composeId, release, created: true, variants: ci.variants.length, images: images.length, rpmEntries, status };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

/**
 * One row per image file. productmd lists a source image under every tree arch of its variant
 * (see its src_move fixtures), and Image rows are unique per (compose, path): the file is stored
 * once, under the first of those arches, remembering every arch it is listed under. Two different
 * entries for one path are a broken compose.
 */
export function imagesToStore(images: readonly ImageEntry[], file: string): (ImageEntry & { listedUnder: string[] })[] {
  const byPath = new Map<string, ImageEntry & { listedUnder: string[] }>();
  for (const image of images) {
    const seen = byPath.get(image.path);
    if (!seen) {
      byPath.set(image.path, { ...image, listedUnder: [image.arch] });
      continue;
    }
    const { arch: _a, listedUnder, ...left } = seen;
    const { arch: _b, ...right } = image;
    if (JSON.stringify(left) !== JSON.stringify(right)) {
      throw new ProductmdError(
        file,
        `payload.images.${image.variant}.${image.arch}`,
        `${image.path} is listed twice with different data (also under ${seen.variant}.${seen.arch})`,
      );
    }
    // Kept so that images.json could be written back with every listing.
    if (image.variant === seen.variant && !listedUnder.includes(image.arch)) listedUnder.push(image.arch);
  }
  return [...byPath.values()];
}

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** From the staging table to Build, Rpm and ComposeRpmSet, set-based. */
async function storeRpms(tx: Tx, composeRowId: number): Promise<void> {
  const sourceNvr = `s_name || '-' || s_version || '-' || s_release`;
  await tx.$executeRawUnsafe(`
    INSERT INTO "Build" (nvr, name, epoch, version, release)
    SELECT DISTINCT ON (nvr) ${sourceNvr} AS nvr, s_name, s_epoch, s_version, s_release FROM ingest_rpm
    ORDER BY nvr
    ON CONFLICT (nvr) DO NOTHING`);
  // Source RPMs first, then binaries, so every RPM can point at its source RPM.
  await tx.$executeRawUnsafe(`
    INSERT INTO "Rpm" (nevra, name, epoch, version, release, arch, "buildId")
    SELECT DISTINCT ON (i.srpm) i.srpm, i.s_name, i.s_epoch, i.s_version, i.s_release, i.s_arch, b.id
    FROM ingest_rpm i JOIN "Build" b ON b.nvr = i.${sourceNvr}
    ORDER BY i.srpm
    ON CONFLICT (nevra) DO NOTHING`);
  await tx.$executeRawUnsafe(`
    INSERT INTO "Rpm" (nevra, name, epoch, version, release, arch, "buildId", "srpmId")
    SELECT DISTINCT ON (i.nevra) i.nevra, i.name, i.epoch, i.version, i.release, i.rarch, s."buildId", s.id
    FROM ingest_rpm i JOIN "Rpm" s ON s.nevra = i.srpm
    ORDER BY i.nevra
    ON CONFLICT (nevra) DO NOTHING`);
  await tx.$executeRawUnsafe(`
    UPDATE "Rpm" r SET "srpmId" = r.id WHERE r."srpmId" IS NULL AND r.arch IN ('src', 'nosrc')
      AND r.nevra IN (SELECT DISTINCT srpm FROM ingest_rpm)`);
  await tx.$executeRawUnsafe(
    `
    WITH rows AS (
      SELECT i.variant, i.arch, i.category, r.id AS rpm_id, i.path, i.path_dir, i.sigkey
      FROM ingest_rpm i JOIN "Rpm" r ON r.nevra = i.nevra
    ), common AS (
      SELECT variant, arch, category,
             mode() WITHIN GROUP (ORDER BY path_dir) AS path_dir,
             mode() WITHIN GROUP (ORDER BY sigkey) AS sigkey
      FROM rows GROUP BY variant, arch, category
    )
    INSERT INTO "ComposeRpmSet" ("composeId", "variantUid", arch, category, "rpmIds", "pathDir", "pathExceptions", sigkey, "sigkeyExceptions")
    SELECT $1, r.variant, r.arch, r.category::"RpmCategory", array_agg(r.rpm_id ORDER BY r.rpm_id), c.path_dir,
           COALESCE(jsonb_object_agg(r.rpm_id::text, r.path) FILTER (WHERE r.path_dir IS DISTINCT FROM c.path_dir), '{}'::jsonb),
           c.sigkey,
           COALESCE(jsonb_object_agg(r.rpm_id::text, r.sigkey) FILTER (WHERE r.sigkey IS DISTINCT FROM c.sigkey), '{}'::jsonb)
    FROM rows r JOIN common c USING (variant, arch, category)
    GROUP BY r.variant, r.arch, r.category, c.path_dir, c.sigkey`,
    composeRowId,
  );
}
