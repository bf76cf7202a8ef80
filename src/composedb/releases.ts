// Releases appear the first time anything mentions them (a compose, a push).
import type { Db } from "../db/database.js";

type Client = Pick<Db, "$executeRaw" | "release">;

/**
 * The release's row, created if missing. INSERT … ON CONFLICT rather than Prisma's upsert, which
 * raises a unique violation when a concurrent transaction creates the same release; this waits.
 */
export async function ensureRelease(db: Client, release: { name: string; short?: string; version?: string; type?: string }) {
  const [short, ...version] = release.name.split("-");
  await db.$executeRaw`
    INSERT INTO "Release" (name, short, version, type)
    VALUES (${release.name}, ${release.short ?? short ?? release.name}, ${release.version ?? (version.join("-") || release.name)}, ${release.type ?? "ga"})
    ON CONFLICT (name) DO NOTHING`;
  return db.release.findUniqueOrThrow({ where: { name: release.name } });
}
