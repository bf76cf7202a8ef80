// `npm run db:migration -- <name>`: writes the SQL that takes the last migration's schema to
// prisma/schema.prisma. Prisma's adapter mode has no shadow database, so each migration keeps a
// copy of the schema it produces, which the next diff starts from. The diff itself is computed
// offline but prisma still connects through the adapter, so a database must be reachable:
// DATABASE_URL, or the embedded one.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { config, projectRoot } from "../src/config.js";
import { resolveDatabaseUrl } from "../src/db/database.js";
import { listMigrations, migrationsDir } from "../src/db/migrate.js";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migration -- <snake_case_name>");
  process.exit(2);
}
const schema = path.join(projectRoot, "prisma", "schema.prisma");
const last = listMigrations().at(-1);
const from = last ? ["--from-schema-datamodel", path.join(migrationsDir, last.name, "schema.prisma")] : ["--from-empty"];
const database = await resolveDatabaseUrl(config());
const sql = execFileSync(
  path.join(projectRoot, "node_modules", ".bin", "prisma"),
  ["migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"],
  { cwd: projectRoot, encoding: "utf8", env: { ...process.env, DATABASE_URL: database.url } },
);
await database.stop();
if (!/^(CREATE|ALTER|DROP|DO)\b/m.test(sql)) {
  console.log("schema.prisma matches the migrations: nothing to write");
} else {
  const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
  const dir = path.join(migrationsDir, `${stamp}_${name}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "migration.sql"), sql);
  fs.copyFileSync(schema, path.join(dir, "schema.prisma"));
  console.log(`wrote ${path.relative(projectRoot, dir)}/migration.sql`);
}
