// composedb at Fedora's scale: ingest time and peak memory for a Rawhide-sized compose generated
// by the real productmd library (≈25k source packages, 7 variants, 4 arches, ≈835k rpms.json
// entries) and for a synthetic one SCALE times larger, and the time to diff two full composes out
// of the database.
//
// Each measurement runs in a child process (this file run as a script) against a dedicated
// database, relengotron_bench, on the embedded PostgreSQL (or the server of DATABASE_URL); peak
// memory is the child's kernel RSS high-water mark (getrusage maxrss), which misses no spike the
// way sampling would. PostgreSQL's own memory is not included.
//
// Generated composes are cached under <data dir>/bench/. Knobs (environment):
//   BENCH_COMPOSEDB_SOURCES  source packages of the Rawhide-sized compose (default 25000)
//   BENCH_COMPOSEDB_SCALE    size of the synthetic compose, in Rawhide-sized composes (default 10;
//                            on a 2-core machine the 10× ingest takes several minutes)
import { execFile, spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { once } from "node:events";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { ingestCompose } from "../src/composedb/ingest.js";
import { diffComposeIds } from "../src/composedb/queries.js";
import { config, projectRoot } from "../src/config.js";
import { createDb, databaseUrlFor, resolveDatabaseUrl } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { streamRpms } from "../src/productmd/index.js";
import type { Benchmark, BenchResult } from "./run.js";

const run = promisify(execFile);
const PYTHON = path.join(projectRoot, ".venv/bin/python");
const TOOL = path.join(projectRoot, "tools/productmd_tool.py");
const BENCH_DATABASE = "relengotron_bench";

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, got ${JSON.stringify(raw)}`);
  return n;
}

// ------------------------------------------------------------------ composes

/** Runs `make(tmpDir)` unless `dir` exists; renames into place so an interrupted run leaves no half compose. */
async function cached(dir: string, log: (line: string) => void, what: string, make: (tmp: string) => Promise<void>): Promise<string> {
  if (existsSync(path.join(dir, "COMPOSE_ID"))) {
    log(`using cached ${what}: ${dir}`);
    return dir;
  }
  const tmp = `${dir}.partial`;
  await rm(tmp, { recursive: true, force: true });
  const started = Date.now();
  log(`generating ${what} …`);
  await make(tmp);
  await rename(tmp, dir);
  log(`generated ${what} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return dir;
}

async function productmdGenerate(out: string, args: string[]): Promise<void> {
  await run(PYTHON, [TOOL, "generate", out, ...args], { maxBuffer: 1 << 24 });
}

const NEVRA = /^(.+)-(\d+):([^-:]+)-([^-]+)\.([^.]+)$/;

/** `name` -> `name-x<k>` in a NEVRA: copy k of a package. */
function renamed(nevra: string, suffix: string): { nevra: string; file: string } {
  const m = NEVRA.exec(nevra);
  if (!m) throw new Error(`cannot rename ${nevra}`);
  const [, name, epoch, version, release, arch] = m;
  return { nevra: `${name}${suffix}-${epoch}:${version}-${release}.${arch}`, file: `${name}${suffix}-${version}-${release}.${arch}.rpm` };
}

/**
 * A compose `scale` times the size of `source`: the same variants, arches and images, and every
 * source package `scale` times over (copies renamed name-x1 … name-x<scale-1>), written in
 * productmd's layout (4-space indent, as json.dump writes it). Streams: only one variant/arch's
 * entries are held at a time.
 */
async function writeScaledCompose(source: string, out: string, scale: number, composeId: string, date: string): Promise<void> {
  const srcMeta = path.join(source, "compose/metadata");
  const meta = path.join(out, "compose/metadata");
  await mkdir(meta, { recursive: true });
  const ci = JSON.parse(await readFile(path.join(srcMeta, "composeinfo.json"), "utf8"));
  const oldId: string = ci.payload.compose.id;
  const retarget = (doc: { payload: { compose: { id: string; date: string } } }) => {
    doc.payload.compose.id = composeId;
    doc.payload.compose.date = date;
    return doc;
  };
  await writeFile(path.join(meta, "composeinfo.json"), JSON.stringify(retarget(ci), null, 4));
  const images = JSON.parse((await readFile(path.join(srcMeta, "images.json"), "utf8")).replaceAll(oldId.split("-").at(-1)!, composeId.split("-").at(-1)!));
  await writeFile(path.join(meta, "images.json"), JSON.stringify(retarget(images), null, 4));
  const compose = retarget({ payload: { compose: { ...ci.payload.compose } } }).payload.compose;

  const stream = createWriteStream(path.join(meta, "rpms.json"));
  let chunk: string[] = [];
  let chunkLength = 0;
  const emit = async (s: string) => {
    chunk.push(s);
    chunkLength += s.length;
    if (chunkLength < 1 << 20) return;
    const data = chunk.join("");
    chunk = [];
    chunkLength = 0;
    if (!stream.write(data)) await once(stream, "drain");
  };
  const q = (s: string) => JSON.stringify(s);
  const pad = (n: number) => " ".repeat(4 * n);
  await emit(`{\n${pad(1)}"header": {\n${pad(2)}"type": "productmd.rpms",\n${pad(2)}"version": "1.2"\n${pad(1)}},\n${pad(1)}"payload": {\n`);
  await emit(`${pad(2)}"compose": ${JSON.stringify(compose, null, 4).replaceAll("\n", `\n${pad(2)}`)},\n${pad(2)}"rpms": {`);

  type Entry = { srpmNevra: string; nevra: string; path: string; sigkey: string | null; category: string };
  let group: Entry[] = [];
  let current: { variant: string; arch: string } | null = null;
  let variantOpen: string | null = null;
  let firstVariant = true;
  let firstArch = true;
  const flushGroup = async () => {
    if (!current) return;
    if (variantOpen !== current.variant) {
      if (variantOpen !== null) await emit(`\n${pad(3)}}`);
      await emit(`${firstVariant ? "" : ","}\n${pad(3)}${q(current.variant)}: {`);
      firstVariant = false;
      firstArch = true;
      variantOpen = current.variant;
    }
    await emit(`${firstArch ? "" : ","}\n${pad(4)}${q(current.arch)}: {`);
    firstArch = false;
    let firstSrpm = true;
    for (let k = 0; k < scale; k++) {
      const suffix = k === 0 ? "" : `-x${k}`;
      let srpm: string | null = null;
      for (const e of group) {
        if (e.srpmNevra !== srpm) {
          if (srpm !== null) await emit(`\n${pad(5)}}`);
          await emit(`${firstSrpm ? "" : ","}\n${pad(5)}${q(renamed(e.srpmNevra, suffix).nevra)}: {`);
          firstSrpm = false;
          srpm = e.srpmNevra;
        } else {
          await emit(",");
        }
        const r = renamed(e.nevra, suffix);
        const rpmPath = e.path.slice(0, e.path.lastIndexOf("/") + 1) + r.file;
        await emit(
          `\n${pad(6)}${q(r.nevra)}: {\n${pad(7)}"category": ${q(e.category)},\n${pad(7)}"path": ${q(rpmPath)},\n${pad(7)}"sigkey": ${e.sigkey === null ? "null" : q(e.sigkey)}\n${pad(6)}}`,
        );
      }
      if (srpm !== null) await emit(`\n${pad(5)}}`);
    }
    await emit(`\n${pad(4)}}`);
    group = [];
  };
  for await (const batch of streamRpms(path.join(srcMeta, "rpms.json")).batches(10_000)) {
    for (const e of batch) {
      if (!current || current.variant !== e.variant || current.arch !== e.arch) {
        await flushGroup();
        current = { variant: e.variant, arch: e.arch };
      }
      group.push({ srpmNevra: e.srpmNevra, nevra: e.nevra, path: e.path, sigkey: e.sigkey, category: e.category });
    }
  }
  await flushGroup();
  if (variantOpen !== null) await emit(`\n${pad(3)}}`);
  await emit(`\n${pad(2)}}\n${pad(1)}}\n}`);
  if (chunk.length) stream.write(chunk.join(""));
  stream.end();
  await once(stream, "finish");
  await writeFile(path.join(out, "COMPOSE_ID"), composeId);
  await writeFile(path.join(out, "STATUS"), "FINISHED\n");
}

// ------------------------------------------------------------------ database

/**
 * A fresh, migrated relengotron_bench database on the embedded server (or DATABASE_URL's);
 * dropped again when the benchmark ends (after the ×10 ingest it holds gigabytes).
 */
async function benchDatabase(log: (line: string) => void): Promise<{ reset(): Promise<string>; close(): Promise<void> }> {
  const server = await resolveDatabaseUrl(config(), log);
  const admin = async (...statements: string[]) => {
    const client = new pg.Client({ connectionString: databaseUrlFor(server.url, "postgres") });
    await client.connect();
    try {
      for (const sql of statements) await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const drop = `DROP DATABASE IF EXISTS "${BENCH_DATABASE}" WITH (FORCE)`;
  return {
    async reset() {
      await admin(drop, `CREATE DATABASE "${BENCH_DATABASE}"`);
      const url = databaseUrlFor(server.url, BENCH_DATABASE);
      await migrate(url);
      return url;
    },
    async close() {
      try {
        await admin(drop);
      } finally {
        await server.stop();
      }
    },
  };
}

// ------------------------------------------------------------------ measurements (child processes)

interface Measurement {
  ms: number;
  /** kernel RSS high-water mark of the whole child process, bytes */
  peakRss: number;
  detail: Record<string, unknown>;
}

/** Runs this file as a script: `child <what> <args…>`; its last stdout line is a Measurement. */
async function measure(args: string[]): Promise<Measurement> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(projectRoot, "bench/composedb.ts"), "child", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, "close")) as [number | null];
  if (code !== 0) throw new Error(`bench child ${args.join(" ")} exited with ${code}`);
  return JSON.parse(out.trim().split("\n").at(-1)!) as Measurement;
}

async function child(what: string, args: string[]): Promise<void> {
  const [url, ...rest] = args;
  const db = createDb(url!);
  await db.$queryRaw`SELECT 1`;
  const started = performance.now();
  let detail: Record<string, unknown> = {};
  if (what === "ingest") {
    const result = await ingestCompose(db, rest[0]!);
    detail = { entries: result.rpmEntries, composeId: result.composeId };
  } else if (what === "diff") {
    const diff = await diffComposeIds(db, rest[0]!, rest[1]!);
    detail = {
      packages: { added: diff.packages.added.length, removed: diff.packages.removed.length, upgraded: diff.packages.upgraded.length },
      rpms: { added: diff.rpms.added.length, removed: diff.rpms.removed.length },
      imagesChanged: diff.images.changed.filter((c) => c.checksumChanged).length,
    };
  } else if (what !== "baseline") {
    throw new Error(`unknown child measurement ${what}`);
  }
  const ms = performance.now() - started;
  await db.$disconnect();
  const m: Measurement = { ms, peakRss: process.resourceUsage().maxRSS * 1024, detail };
  console.log(JSON.stringify(m));
}

// ------------------------------------------------------------------ the benchmark

const MiB = 1024 * 1024;
const bytes = (n: number) => (n >= 1024 * MiB ? `${(n / 1024 / MiB).toFixed(2)} GiB` : `${(n / MiB).toFixed(0)} MiB`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const count = (n: number) => n.toLocaleString("en-US");

async function metadataSize(dir: string): Promise<number> {
  let total = 0;
  for (const f of ["composeinfo.json", "images.json", "rpms.json"]) total += (await stat(path.join(dir, "compose/metadata", f))).size;
  return total;
}

const benchmark: Benchmark = {
  name: "composedb",
  description: "ingest time and peak memory at Rawhide size and larger; diff of two full composes",
  async run(log): Promise<BenchResult> {
    const sources = intFromEnv("BENCH_COMPOSEDB_SOURCES", 25_000);
    const scale = intFromEnv("BENCH_COMPOSEDB_SCALE", 10);
    const root = path.join(config().dataDir, "bench");
    await mkdir(root, { recursive: true });
    const base = await cached(path.join(root, `productmd-${sources}`), log, `a Rawhide-sized compose (${sources} source packages) with productmd`, (tmp) =>
      productmdGenerate(tmp, ["--sources", String(sources), "--seed", "bench", "--date", "20250101"]),
    );
    const next = await cached(path.join(root, `productmd-${sources}-next`), log, "the following compose with productmd", (tmp) =>
      productmdGenerate(tmp, ["--previous", base, "--upgrade", "300", "--add", "60", "--remove", "40", "--resize-images", "8", "--seed", "bench-next"]),
    );
    const big = await cached(path.join(root, `synthetic-${sources}x${scale}`), log, `a synthetic compose ${scale}× that size`, (tmp) =>
      writeScaledCompose(base, tmp, scale, "Fedora-Rawhide-20250301.n.0", "20250301"),
    );
    const [baseId, nextId] = await Promise.all([readFile(path.join(base, "COMPOSE_ID"), "utf8"), readFile(path.join(next, "COMPOSE_ID"), "utf8")]);

    const database = await benchDatabase(log);
    try {
      let url = await database.reset();
      log("baseline: a child that only connects");
      const baseline = await measure(["baseline", url]);
      log(`ingest ${baseId} …`);
      const one = await measure(["ingest", url, base]);
      log(`ingest ${nextId} …`);
      const second = await measure(["ingest", url, next]);
      log(`diff ${baseId} ${nextId} …`);
      const diff = await measure(["diff", url, baseId, nextId]);
      url = await database.reset();
      log(`ingest the ${scale}× compose into an empty database (takes a while) …`);
      const large = await measure(["ingest", url, big]);

      const [baseSize, nextSize, bigSize] = await Promise.all([metadataSize(base), metadataSize(next), metadataSize(big)]);
      const oneEntries = one.detail.entries as number;
      const largeEntries = large.detail.entries as number;
      const ratio = (x: number, y: number) => `×${(x / y).toFixed(2)}`;
      return {
        title: `composedb ingest and diff (${sources} source packages; synthetic ×${scale}; PostgreSQL at ${new URL(url).host})`,
        columns: ["case", "entries", "file size", "time", "peak RSS", "ratio"],
        rows: [
          ["process baseline (node, tsx, Prisma; connects only)", "-", "-", "-", bytes(baseline.peakRss), "-"],
          ["ingest Rawhide-sized (productmd), empty db", count(oneEntries), bytes(baseSize), seconds(one.ms), bytes(one.peakRss), "1 (reference)"],
          ["ingest next compose, most NEVRAs known", count(second.detail.entries as number), bytes(nextSize), seconds(second.ms), bytes(second.peakRss), "-"],
          [
            `ingest synthetic ×${scale}, empty db`,
            count(largeEntries),
            bytes(bigSize),
            seconds(large.ms),
            bytes(large.peakRss),
            `file ${ratio(bigSize, baseSize)}, entries ${ratio(largeEntries, oneEntries)}, time ${ratio(large.ms, one.ms)}, peak RSS ${ratio(large.peakRss, one.peakRss)} (above baseline ${ratio(large.peakRss - baseline.peakRss, one.peakRss - baseline.peakRss)})`,
          ],
          [`diff Rawhide-sized vs next, from the db`, count(oneEntries + (second.detail.entries as number)), "-", seconds(diff.ms), bytes(diff.peakRss), "-"],
        ],
        notes: [
          `ingest throughput: ${count(Math.round(oneEntries / (one.ms / 1000)))} entries/s (Rawhide-sized), ${count(Math.round(largeEntries / (large.ms / 1000)))} entries/s (×${scale})`,
          `diff found: ${JSON.stringify(diff.detail)}`,
          "peak RSS: the measuring child's getrusage maxrss; PostgreSQL's memory is not included",
          `composes cached in ${root}; BENCH_COMPOSEDB_SCALE / BENCH_COMPOSEDB_SOURCES change the sizes`,
        ],
      };
    } finally {
      await database.close();
    }
  },
};

export default benchmark;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href && process.argv[2] === "child") {
  child(process.argv[3]!, process.argv.slice(4)).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
