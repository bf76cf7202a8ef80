// Where composedb lives: DATABASE_URL when set, otherwise the embedded server under the data folder.
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Config } from "../config.js";
import { PrismaClient } from "../generated/prisma/client.js";
import { startEmbeddedPostgres } from "./embedded.js";
import { migrate } from "./migrate.js";

export type Db = PrismaClient;

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  db: Db;
  close(): Promise<void>;
}

export async function resolveDatabaseUrl(
  cfg: Config,
  log?: (line: string) => void,
): Promise<{ url: string; embedded: boolean; stop: () => Promise<void> }> {
  if (cfg.DATABASE_URL) return { url: cfg.DATABASE_URL, embedded: false, stop: async () => {} };
  const server = await startEmbeddedPostgres({
    dir: path.join(cfg.dataDir, "postgres"),
    port: cfg.RELENGOTRON_EMBEDDED_PG_PORT,
    database: "relengotron",
    log,
  });
  return { url: server.url, embedded: true, stop: server.stop };
}

/** The same server URL pointing at another database. */
export function databaseUrlFor(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export function createDb(url: string): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
}

/** Connects (starting the embedded server if needed) and applies pending migrations. */
export async function openDatabase(cfg: Config, log?: (line: string) => void): Promise<DatabaseHandle> {
  const server = await resolveDatabaseUrl(cfg, log);
  try {
    const applied = await migrate(server.url);
    for (const name of applied) log?.(`applied migration ${name}`);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const db = createDb(server.url);
  return {
    url: server.url,
    embedded: server.embedded,
    db,
    close: async () => {
      await db.$disconnect();
      await server.stop();
    },
  };
}
