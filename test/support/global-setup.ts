// Once per test run: a PostgreSQL server (TEST_DATABASE_URL, or embedded under .data/), a template
// database with every migration applied (each test file clones it), and the Temporal CLI binary.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { projectRoot } from "../../src/config.js";
import { databaseUrlFor } from "../../src/db/database.js";
import { startEmbeddedPostgres, stopEmbeddedPostgres } from "../../src/db/embedded.js";
import { listMigrations, migrate } from "../../src/db/migrate.js";
import { resolveTemporalCli } from "../../src/temporal/cli-binary.js";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    templateDatabase: string;
    temporalCli: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = process.env.TEST_DATABASE_URL
    ? { url: process.env.TEST_DATABASE_URL, stop: async () => {} }
    : await sharedTestPostgres(path.join(projectRoot, ".data", "test-postgres"));

  const digest = createHash("sha256")
    .update(listMigrations().map((m) => `${m.name}:${m.checksum}`).join("\n"))
    .digest("hex")
    .slice(0, 12);
  const templateDatabase = `relengotron_template_${digest}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    // Serialise template creation between concurrent test runs on one server.
    await admin.query("SELECT pg_advisory_lock(4242)");
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [templateDatabase]);
    if (exists.rowCount === 0) {
      const building = `${templateDatabase}_building`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}"`);
      await admin.query(`CREATE DATABASE "${building}"`);
      await migrate(databaseUrlFor(server.url, building));
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${templateDatabase}"`);
    }
    await admin.query("SELECT pg_advisory_unlock(4242)");
  } finally {
    await admin.end();
  }

  project.provide("pgAdminUrl", server.url);
  project.provide("templateDatabase", templateDatabase);
  project.provide("temporalCli", resolveTemporalCli({ explicit: process.env.TEMPORAL_CLI, install: true }));
  return async () => {
    await server.stop();
  };
}

/**
 * The embedded test server, shared by test runs that overlap (two terminals, an editor's runner):
 * each run registers its pid, and the last one to finish stops the server.
 */
async function sharedTestPostgres(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const runs = path.join(dir, "runs");
  fs.mkdirSync(runs, { recursive: true });
  fs.writeFileSync(path.join(runs, String(process.pid)), "");
  const server = await startEmbeddedPostgres({ dir, port: "free", database: "postgres" });
  return {
    url: server.url,
    stop: async () => {
      fs.rmSync(path.join(runs, String(process.pid)), { force: true });
      const others = fs.readdirSync(runs).filter((pid) => {
        try {
          process.kill(Number(pid), 0);
          return true;
        } catch {
          fs.rmSync(path.join(runs, pid), { force: true });
          return false;
        }
      });
      if (others.length === 0) await stopEmbeddedPostgres(dir);
    },
  };
}
