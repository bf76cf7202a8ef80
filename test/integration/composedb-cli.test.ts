// The composedb commands as a release engineer runs them: `relengotron` subprocesses against a
// test database (DATABASE_URL), checked on exit codes and output.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareComposeArches, diffComposeIds, releaseStatus } from "../../src/composedb/queries.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { countRows, FEDORA_MESSAGES, generateCompose, productmdLoad, SIZE_HISTORY, splitNevra, writeSizeHistory, type ProductmdView } from "../support/composedb.js";

let t: TestDatabase;
let tmp: string;
let dirA: string;
let dirB: string;
let a: ProductmdView;
let b: ProductmdView;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function relengotron(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", ...args],
      { env: { ...process.env, DATABASE_URL: t.url }, maxBuffer: 1 << 28 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const asJson = (value: unknown) => JSON.parse(JSON.stringify(value));

beforeAll(async () => {
  t = await createTestDatabase();
  tmp = await mkdtemp(path.join(tmpdir(), "composedb-cli-"));
  dirA = path.join(tmp, "a");
  dirB = path.join(tmp, "b");
  await generateCompose(dirA, "--sources", "50", "--seed", "71", "--variants", "Everything,Server,Workstation", "--arches", "x86_64,aarch64,s390x");
  await generateCompose(dirB, "--previous", dirA, "--upgrade", "3", "--add", "2", "--remove", "1", "--resize-images", "2", "--seed", "72");
  [a, b] = await Promise.all([productmdLoad(dirA), productmdLoad(dirB)]);
});
afterAll(async () => {
  await t?.drop();
  await rm(tmp, { recursive: true, force: true });
});

describe("relengotron composedb commands", () => {
  it("ingest: two composes in one run; again: nothing duplicated", async () => {
    const run = await relengotron("ingest", dirA, dirB);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`ingested ${a.composeinfo.compose.id} (Fedora-Rawhide): ${a.composeinfo.variants.length} variants, ${a.images!.images.length} images, ${a.rpms!.count} RPM entries, status FINISHED`);
    expect(run.stdout).toContain(`ingested ${b.composeinfo.compose.id}`);
    const before = await countRows(t.db);
    const again = await relengotron("--json", "ingest", dirA);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual([expect.objectContaining({ composeId: a.composeinfo.compose.id, created: false })]);
    expect(await countRows(t.db)).toEqual(before);
  });

  it("ingest of a malformed compose exits non-zero naming the file and the JSON path, writing nothing", async () => {
    const dir = path.join(tmp, "broken");
    await cp(dirA, dir, { recursive: true });
    const file = path.join(dir, "compose/metadata/images.json");
    const doc = JSON.parse(await readFile(file, "utf8"));
    doc.payload.images.Server.s390x[0].size = "2 GB";
    doc.payload.compose.id = "Fedora-Rawhide-20991231.n.0"; // it would be a new compose
    await writeFile(file, JSON.stringify(doc, null, 4));
    const ci = path.join(dir, "compose/metadata/composeinfo.json");
    await writeFile(ci, (await readFile(ci, "utf8")).replaceAll(a.composeinfo.compose.id, "Fedora-Rawhide-20991231.n.0"));
    const before = await countRows(t.db);
    const run = await relengotron("ingest", dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${file}: payload.images.Server.s390x[0].size:`);
    expect(run.stdout).toBe("");
    expect(await countRows(t.db)).toEqual(before);
  });

  it("diff --json: what the query answers, with the expected package changes", async () => {
    const run = await relengotron("diff", a.composeinfo.compose.id, b.composeinfo.compose.id, "--json");
    expect(run.code, run.stderr).toBe(0);
    const diff = JSON.parse(run.stdout);
    expect(diff).toEqual(asJson(await diffComposeIds(t.db, a.composeinfo.compose.id, b.composeinfo.compose.id)));
    const names = (v: ProductmdView) => new Set(v.rpms!.entries.filter((e) => e.category === "source").map((e) => splitNevra(e.nevra).name));
    const after = names(b);
    expect(diff.packages.removed.map((p: { name: string }) => p.name)).toEqual([...names(a)].filter((n) => !after.has(n)).sort());
    const text = await relengotron("diff", a.composeinfo.compose.id, b.composeinfo.compose.id);
    expect(text.stdout).toContain(diff.packages.removed[0].name);
  });

  it("diff of an unknown compose exits non-zero naming it", async () => {
    const run = await relengotron("diff", a.composeinfo.compose.id, "Fedora-Rawhide-19990101.n.0");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("compose Fedora-Rawhide-19990101.n.0 is not in composedb");
  });

  it("arches --json, with --arch", async () => {
    const id = a.composeinfo.compose.id;
    const run = await relengotron("--json", "arches", id, "--arch", "x86_64", "s390x");
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(asJson(await compareComposeArches(t.db, id, undefined, ["x86_64", "s390x"])));
  });

  it("release sets required variants; status --json reflects them", async () => {
    const set = await relengotron("release", "Fedora-Rawhide", "--required-variants", "Everything,Workstation");
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain("Fedora-Rawhide: required variants Everything, Workstation");
    const run = await relengotron("status", "Fedora-Rawhide", "--json");
    expect(run.code, run.stderr).toBe(0);
    const status = JSON.parse(run.stdout);
    expect(status).toEqual(asJson(await releaseStatus(t.db, "Fedora-Rawhide")));
    expect(status[0]).toMatchObject({ release: "Fedora-Rawhide", requiredVariants: ["Everything", "Workstation"], lastCompose: { composeId: b.composeinfo.compose.id } });
    const unknown = await relengotron("status", "Fedora-7");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("release Fedora-7 is not in composedb");
  });

  it("sizes --csv - prints every series", async () => {
    const ingest = await relengotron("ingest", ...(await writeSizeHistory(path.join(tmp, "sizes"))));
    expect(ingest.code, ingest.stderr).toBe(0);
    const run = await relengotron("sizes", "--release", SIZE_HISTORY.release, "--arch", "aarch64", "--csv", "-");
    expect(run.code, run.stderr).toBe(0);
    const aarch64 = SIZE_HISTORY.images.filter((im) => im.arch === "aarch64");
    expect(run.stdout.trimEnd().split("\n")).toEqual([
      "release,variant,subvariant,type,format,arch,compose_id,date,size_bytes",
      ...aarch64.flatMap((im) => SIZE_HISTORY.composes.map((c, i) => `${SIZE_HISTORY.release},${im.variant},${im.subvariant},${im.type},${im.format},${im.arch},${c.id},${c.date},${im.sizes[i]}`)),
    ]);
  });

  it("sizes without --json prints a table: latest size and change over the window per image", async () => {
    // Ingesting again writes nothing new; it lets this case run on its own (-t).
    const ingest = await relengotron("ingest", ...(await writeSizeHistory(path.join(tmp, "sizes-table"))));
    expect(ingest.code, ingest.stderr).toBe(0);
    // The window drops the first compose: changes run from 20250302 to 20250305 (five composes).
    const run = await relengotron("sizes", "--release", SIZE_HISTORY.release, "--from", "20250302");
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split("\n");
    const table = lines.slice(0, lines.indexOf("")).map((l) => l.trim().split(/\s{2,}/));
    expect(table[0]).toEqual(["release", "variant", "subvariant", "type", "format", "arch", "latest", "change", "change %", "composes"]);
    expect(table.slice(2)).toEqual([
      ["Fedora-43", "Cloud", "Cloud_Base", "qcow2", "qcow2", "x86_64", "500.0 MiB", "0 B", "0.0%", "5"],
      ["Fedora-43", "KDE", "KDE", "live", "iso", "x86_64", "2.5 GiB", "-150.0 MiB", "-5.6%", "5"],
      ["Fedora-43", "Server", "Server", "dvd", "iso", "x86_64", "2.2 GiB", "-250.0 MiB", "-9.8%", "5"],
      ["Fedora-43", "Workstation", "Workstation", "live", "iso", "aarch64", "1.8 GiB", "-100.0 MiB", "-5.1%", "5"],
      ["Fedora-43", "Workstation", "Workstation", "live", "iso", "x86_64", "2.3 GiB", "+300.0 MiB", "+14.3%", "5"],
    ]);
    // growers and shrinkers still follow the table
    expect(run.stdout).toContain("5 image identities\nGrowers (1):\n  Fedora-43/Workstation/Workstation/live.iso/x86_64:");
  });

  it("record-push records Bodhi messages once; a message without a release is refused", async () => {
    // stable-1 carries no push date; as fedora-messaging delivers it, its sent-at header dates it
    const stable = path.join(tmp, "stable-1-with-headers.json");
    const message = JSON.parse(await readFile(path.join(FEDORA_MESSAGES, "bodhi.update.complete.stable-1.json"), "utf8"));
    await writeFile(stable, JSON.stringify({ ...message, headers: { "sent-at": "2019-07-01T12:00:00+00:00" } }));
    const files = [path.join(FEDORA_MESSAGES, "bodhi.update.complete.testing-2.json"), stable];
    const run = await relengotron("record-push", ...files);
    expect(run.code, run.stderr).toBe(0);
    const testing = JSON.parse(await readFile(files[0]!, "utf8")).body.update;
    const repo = JSON.parse(testing.release.composes.find((c: { request: string }) => c.request === "testing").checkpoints).completed_repo as string;
    expect(run.stdout.trimEnd().split("\n")).toEqual([
      `${path.posix.basename(repo)}: ${testing.alias} (testing, Fedora-29)`,
      `Fedora-29-updates-20190701: ${message.body.update.alias} (stable, Fedora-29)`,
    ]);
    const pushes = await t.db.updatesPush.findMany({ orderBy: { id: "asc" } });
    expect(pushes).toHaveLength(2);
    const rows = await countRows(t.db);
    const again = await relengotron("record-push", ...files);
    expect(again.code).toBe(0);
    expect(await countRows(t.db)).toEqual(rows);
    expect(await t.db.updatesPush.findMany({ orderBy: { id: "asc" } })).toEqual(pushes);

    const legacy = await relengotron("record-push", path.join(FEDORA_MESSAGES, "bodhi.update.complete.testing-1.json"));
    expect(legacy.code).toBe(1);
    expect(legacy.stderr).toContain("bodhi.update.complete.testing-1.json: not a bodhi update.complete message: update.release");
  });
});
