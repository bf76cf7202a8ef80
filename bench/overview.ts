// The overview page from a composedb of 100 Rawhide-sized composes (about 850k RPM entries each,
// 14 variants on 4 arches, 60 images; ids random, so the arrays do not compress), made with SQL in a database of its own: how long composedb's
// release status takes, how long rendering takes, and the whole page as the server builds it
// (Temporal answers no pipelines here: a stub, so only composedb and rendering are measured).
import type { Client } from "@temporalio/client";
import pg from "pg";
import { renderOverview } from "../src/api/pages/overview.js";
import { overviewData } from "../src/api/pages/overview-data.js";
import { releaseStatus } from "../src/composedb/queries.js";
import { config } from "../src/config.js";
import { createDb, databaseUrlFor, resolveDatabaseUrl } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import type { Benchmark, BenchResult } from "./run.js";

const DATABASE = "relengotron_bench_overview";
const COMPOSES = Number(process.env.BENCH_OVERVIEW_COMPOSES ?? 100);
const VARIANTS = ["Everything", "Workstation", "Server", "Cloud", "Container", "Kinoite", "Silverblue", "KDE", "Xfce", "LXQt", "MATE", "Cinnamon", "Sway", "Budgie"];
const ARCHES = ["x86_64", "aarch64", "ppc64le", "s390x"];
// RPM entries per arch: Everything holds most of them
const SIZES = { Everything: { binary: 60000, debug: 50000, source: 25000 }, other: { binary: 4000, debug: 1000, source: 1000 } };

const stubClient = { workflow: { list: async function* () {} } } as unknown as Client;

async function fill(client: pg.Client, log: (line: string) => void): Promise<void> {
  await client.query(`INSERT INTO "Release" (name, short, version, "requiredVariants") VALUES ('Fedora-Rawhide', 'Fedora', 'Rawhide', '{Everything,Workstation}')`);
  await client.query(`
    INSERT INTO "Compose" ("composeId", "releaseId", date, type, respin, status, "finishedAt", productmd)
    SELECT 'Fedora-Rawhide-' || to_char(d, 'YYYYMMDD') || '.n.0', 1, to_char(d, 'YYYYMMDD'), 'nightly', 0,
           (CASE WHEN i % 7 = 0 THEN 'DOOMED' ELSE 'FINISHED' END)::"ComposeStatus", d + interval '6 hours', '{}'
    FROM generate_series(1, $1::int) AS i, LATERAL (SELECT date '2026-01-01' + i AS d) AS day`, [COMPOSES]);
  await client.query(`
    INSERT INTO "Variant" ("composeId", uid, "variantId", name, type, arches, paths)
    SELECT c.id, v, v, v, 'variant', $2::text[], '{}' FROM "Compose" c, unnest($1::text[]) AS v`, [VARIANTS, ARCHES]);
  await client.query(`
    INSERT INTO "Image" ("composeId", "variantUid", arch, "imageArch", type, format, subvariant, path, size, checksums, bootable, mtime)
    SELECT c.id, v, a, a, t, 'iso', v, v || '/' || a || '/' || t || '/' || c."composeId" || '.iso', 2000000000 + c.id * 1000, '{"sha256":"00"}', true, 0
    FROM "Compose" c, unnest($1::text[]) AS v, unnest($2::text[]) AS a, unnest('{live,dvd,boot}'::text[]) AS t
    WHERE v <> 'Everything' OR t = 'boot'`, [VARIANTS.slice(0, 6), ARCHES]);
  for (const [category, everything, other] of [["binary", SIZES.Everything.binary, SIZES.other.binary], ["debug", SIZES.Everything.debug, SIZES.other.debug], ["source", SIZES.Everything.source, SIZES.other.source]] as const) {
    log(`RPM sets: ${category}`);
    await client.query(`
      INSERT INTO "ComposeRpmSet" ("composeId", "variantUid", arch, category, "rpmIds")
      SELECT c.id, v, a, $3::"RpmCategory", (SELECT array_agg((random() * 3000000)::int) FROM generate_series(1, CASE WHEN v = 'Everything' THEN $4::int ELSE $5::int END) AS g)
      FROM "Compose" c, unnest($1::text[]) AS v, unnest($2::text[]) AS a`, [VARIANTS, ARCHES, category, everything, other]);
  }
  await client.query(`ANALYZE`);
}

async function timed<T>(runs: number, f: () => Promise<T>): Promise<{ median: number; min: number; value: T }> {
  const times: number[] = [];
  let value!: T;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    value = await f();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)]!, min: times[0]!, value };
}

const benchmark: Benchmark = {
  name: "overview",
  description: `the overview page from ${COMPOSES} Rawhide-sized composes`,
  async run(log): Promise<BenchResult> {
    const server = await resolveDatabaseUrl(config(), log);
    const admin = new pg.Client({ connectionString: databaseUrlFor(server.url, "postgres") });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${DATABASE}"`);
    const url = databaseUrlFor(server.url, DATABASE);
    const db = createDb(url);
    try {
      await migrate(url);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const started = Date.now();
      await fill(client, log);
      const { rows } = await client.query<{ n: string; mb: string }>(`SELECT sum(cardinality("rpmIds"))::text AS n, (pg_total_relation_size('"ComposeRpmSet"') / 1048576)::text AS mb FROM "ComposeRpmSet"`);
      await client.end();
      log(`filled in ${((Date.now() - started) / 1000).toFixed(0)} s: ${rows[0]!.n} RPM entries, ComposeRpmSet ${rows[0]!.mb} MiB`);
      const now = new Date("2026-04-15T00:00:00Z");
      const status = await timed(5, () => releaseStatus(db));
      const data = await overviewData({ db, client: stubClient }, undefined, now);
      const render = await timed(20, async () => renderOverview(data));
      const page = await timed(5, async () => renderOverview(await overviewData({ db, client: stubClient }, undefined, now)));
      // worst case: no nightly works (a required variant never built), so every compose is asked
      await db.release.update({ where: { name: "Fedora-Rawhide" }, data: { requiredVariants: ["Everything", "Workstation", "Never-Built"] } });
      const worst = await timed(3, async () => renderOverview(await overviewData({ db, client: stubClient }, undefined, now)));
      const ms = (x: number) => x.toFixed(1);
      return {
        title: `Overview from ${COMPOSES} composes (${(Number(rows[0]!.n) / COMPOSES / 1000).toFixed(0)}k RPM entries each), 2-core machine`,
        columns: ["step", "median ms", "min ms"],
        rows: [
          ["composedb releaseStatus", ms(status.median), ms(status.min)],
          ["render HTML", ms(render.median), ms(render.min)],
          ["whole page (data + render)", ms(page.median), ms(page.min)],
          ["whole page, no nightly working (every compose read)", ms(worst.median), ms(worst.min)],
        ],
        notes: [`target: under 200 ms for the whole page; page size ${(render.value.length / 1024).toFixed(0)} KiB`],
      };
    } finally {
      await db.$disconnect();
      await admin.query(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
      await admin.end();
      await server.stop();
    }
  },
};

export default benchmark;
