// The committed migrations produce exactly prisma/schema.prisma, and the runner applies each once,
// in a transaction, recording it in its ledger.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/config.js";
import { LEDGER, listMigrations, migrate } from "../../src/db/migrate.js";
import { createEmptyDatabase } from "../support/db.js";

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Everything about the public schema that a migration can change, in a comparable form. */
async function catalog(url: string) {
  const [columns, indexes, constraints, enums] = await Promise.all([
    query(url, `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
                FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '${LEDGER}'
                ORDER BY table_name, column_name`),
    query(url, `SELECT tablename, indexname, indexdef FROM pg_indexes
                WHERE schemaname = 'public' AND tablename <> '${LEDGER}' ORDER BY indexname`),
    query(url, `SELECT conrelid::regclass::text AS table, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
                WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '${LEDGER}' ORDER BY conname`),
    query(url, `SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text AS labels
                FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname ORDER BY t.typname`),
  ]);
  return { columns, indexes, constraints, enums };
}

describe("migrations", () => {
  const dbs: { url: string; drop(): Promise<void> }[] = [];
  const fresh = async () => {
    const db = await createEmptyDatabase();
    dbs.push(db);
    return db.url;
  };
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.drop()));
  });

  it("replaying every committed migration yields exactly schema.prisma (no drift)", async () => {
    const migrated = await fresh();
    expect(await migrate(migrated)).toEqual(listMigrations().map((m) => m.name));

    // What prisma itself derives from schema.prisma, applied to a second empty database.
    const fromSchema = await fresh();
    const sql = execFileSync(
      path.join(projectRoot, "node_modules", ".bin", "prisma"),
      ["migrate", "diff", "--from-empty", "--to-schema-datamodel", "prisma/schema.prisma", "--script"],
      { cwd: projectRoot, encoding: "utf8", env: { ...process.env, DATABASE_URL: fromSchema } },
    );
    await query(fromSchema, sql);

    const [a, b] = await Promise.all([catalog(migrated), catalog(fromSchema)]);
    expect(a.columns.length).toBeGreaterThan(20);
    expect(a).toEqual(b);
  });

  describe("runner", () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-migrations-"));
    });
    const write = (name: string, sql: string) => {
      fs.mkdirSync(path.join(dir, name), { recursive: true });
      fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
    };

    it("applies each migration once and records it", async () => {
      const url = await fresh();
      write("001_a", "CREATE TABLE a (id int);");
      expect(await migrate(url, dir)).toEqual(["001_a"]);
      expect(await migrate(url, dir)).toEqual([]);
      write("002_b", "CREATE TABLE b (id int);");
      expect(await migrate(url, dir)).toEqual(["002_b"]);
      const ledger = await query<{ name: string }>(url, `SELECT name FROM "${LEDGER}" ORDER BY name`);
      expect(ledger.map((r) => r.name)).toEqual(["001_a", "002_b"]);
    });

    it("rolls back a failing migration completely and names it", async () => {
      const url = await fresh();
      write("003_bad", "CREATE TABLE c (id int); INSERT INTO c VALUES ('not a number');");
      await expect(migrate(url, dir)).rejects.toThrow(/migration 003_bad failed and was rolled back/);
      const tables = await query<{ t: string | null }>(url, "SELECT to_regclass('public.c')::text AS t");
      expect(tables[0]!.t).toBeNull();
      const ledger = await query<{ name: string }>(url, `SELECT name FROM "${LEDGER}" ORDER BY name`);
      expect(ledger.map((r) => r.name)).toEqual(["001_a", "002_b"]);
      fs.rmSync(path.join(dir, "003_bad"), { recursive: true });
    });

    it("refuses a migration edited after it was applied", async () => {
      const url = await fresh();
      await migrate(url, dir);
      write("001_a", "CREATE TABLE a (id bigint);");
      await expect(migrate(url, dir)).rejects.toThrow(/001_a was edited after it was applied/);
    });
  });
});
