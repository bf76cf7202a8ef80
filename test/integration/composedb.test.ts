// composedb ingest against the real productmd library: productmd's own fixtures and composes
// productmd generates are stored exactly as productmd reads them (checked by rebuilding rpms.json
// entries from the compact tables), re-ingest duplicates nothing, broken metadata writes nothing,
// .gz and http(s) ingest the same, and every distinct NEVRA is stored once.
//
// productmd's image fixtures (test/fixtures/productmd/images) have no composeinfo.json: the test
// writes one for each with productmd's ComposeInfo class (wrapImagesFixture), taking the compose
// and the variants/arches from the fixture as productmd loads it. src_move_before/after are one
// compose before and after a metadata change; to hold both, the "after" one is re-labelled
// respin 1 (id DP-1.0-20160602.t.1) and its images.json re-dumped by productmd.
import { readFile, utimes, writeFile, mkdtemp, rm, cp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestCompose } from "../../src/composedb/ingest.js";
import { diffComposeIds } from "../../src/composedb/queries.js";
import { ProductmdError, writeComposeTree } from "../../src/productmd/index.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import {
  compareEntries,
  countRows,
  generateCompose,
  PRODUCTMD_FIXTURES,
  productmdLoad,
  productmdValidate,
  serveDirectory,
  storedRpmEntries,
  splitNevra,
  wrapImagesFixture,
  type ProductmdImage,
  type ProductmdView,
} from "../support/composedb.js";
import type { Db } from "../../src/db/database.js";

let t: TestDatabase;
let tmp: string;
beforeAll(async () => {
  t = await createTestDatabase();
  tmp = await mkdtemp(path.join(tmpdir(), "composedb-ingest-"));
});
afterAll(async () => {
  await t?.drop();
  await rm(tmp, { recursive: true, force: true });
});

/** productmd lists a source image under each tree arch; composedb keeps one row per file (the first listing). */
function imagesByPath(images: readonly ProductmdImage[]): Map<string, ProductmdImage> {
  const byPath = new Map<string, ProductmdImage>();
  for (const im of images) if (!byPath.has(im.path)) byPath.set(im.path, im);
  return byPath;
}

async function storedImages(db: Db, composeId: string) {
  const rows = await db.image.findMany({ where: { compose: { composeId } }, orderBy: { path: "asc" } });
  return rows.map((i) => ({
    variant: i.variantUid,
    arch: i.arch,
    imageArch: i.imageArch,
    path: i.path,
    size: Number(i.size),
    type: i.type,
    format: i.format,
    subvariant: i.subvariant,
    discNumber: i.discNumber,
    checksums: i.checksums,
  }));
}

/** Everything composedb holds about a compose equals what productmd reads from it. */
async function expectStoredAsProductmdReads(db: Db, view: ProductmdView): Promise<void> {
  const ci = view.composeinfo;
  const compose = await db.compose.findUniqueOrThrow({ where: { composeId: ci.compose.id }, include: { release: true, variants: true } });
  expect(compose.release.name).toBe(`${ci.release.short}-${ci.release.version}`);
  expect({ date: compose.date, type: compose.type, respin: compose.respin, label: compose.label, final: compose.final }).toEqual({
    date: ci.compose.date,
    type: ci.compose.type,
    respin: ci.compose.respin,
    label: ci.compose.label,
    final: ci.compose.final,
  });
  expect(compose.variants.map((v) => ({ uid: v.uid, id: v.variantId, name: v.name, type: v.type, arches: v.arches, parent: v.parentUid })).sort((a, b) => (a.uid < b.uid ? -1 : 1))).toEqual(
    ci.variants.map((v) => ({ uid: v.uid, id: v.id, name: v.name, type: v.type, arches: v.arches, parent: v.parent })),
  );
  const expectedImages = [...imagesByPath(view.images?.images ?? []).values()]
    .map((i) => ({ variant: i.variant, arch: i.arch, imageArch: i.imageArch, path: i.path, size: i.size, type: i.type, format: i.format, subvariant: i.subvariant, discNumber: i.discNumber, checksums: i.checksums }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  expect(await storedImages(db, ci.compose.id)).toEqual(expectedImages);
  expect(await storedRpmEntries(db, ci.compose.id)).toEqual([...(view.rpms?.entries ?? [])].sort(compareEntries));
}

describe("productmd's real image fixtures", () => {
  const dirs: Record<string, string> = {};
  beforeAll(async () => {
    dirs.f20 = await wrapImagesFixture("f20.json", path.join(tmp, "f20"), { name: "Fedora", short: "Fedora", version: "20" });
    dirs.f23 = await wrapImagesFixture("f23.json", path.join(tmp, "f23"), { name: "Fedora", short: "Fedora", version: "23" });
    dirs.before = await wrapImagesFixture("src_move_before.json", path.join(tmp, "src-before"), { name: "DP", short: "DP", version: "1.0" });
    dirs.after = await wrapImagesFixture("src_move_after.json", path.join(tmp, "src-after"), { name: "DP", short: "DP", version: "1.0" }, { composeId: "DP-1.0-20160602.t.1", respin: 1 });
  });

  it("f20 (images 1.0) and f23 (images 1.1) are stored as productmd reads them", async () => {
    for (const key of ["f20", "f23"]) {
      const result = await ingestCompose(t.db, dirs[key]!);
      const view = await productmdLoad(dirs[key]!);
      expect(result).toMatchObject({ composeId: view.composeinfo.compose.id, created: true, images: view.images!.images.length, rpmEntries: 0, status: "FINISHED" });
      await expectStoredAsProductmdReads(t.db, view);
    }
    // straight from the fixture file: the sizes Fedora published
    const f20 = JSON.parse(await readFile(path.join(PRODUCTMD_FIXTURES, "images/f20.json"), "utf8"));
    const dvd = f20.payload.images.Fedora.x86_64.find((i: { type: string }) => i.type === "dvd");
    const row = await t.db.image.findFirstOrThrow({ where: { compose: { composeId: "Fedora-20-20131212.0" }, type: "dvd" } });
    expect(Number(row.size)).toBe(dvd.size);
    expect(row.subvariant).toBe(""); // 1.0 predates subvariant
  });

  it("src_move before/after: one row per image file, and no difference between the two", async () => {
    await ingestCompose(t.db, dirs.before!);
    await ingestCompose(t.db, dirs.after!);
    const before = await productmdLoad(dirs.before!);
    const after = await productmdLoad(dirs.after!);
    // productmd lists the source DVD under both s390x and x86_64: 4 listings, 3 files
    expect(before.images!.images).toHaveLength(4);
    expect(await t.db.image.count({ where: { compose: { composeId: "DP-1.0-20160602.t.0" } } })).toBe(3);
    // … and every listing is remembered, so images.json could be written back whole.
    const listings = (view: ProductmdView) => {
      const byPath = new Map<string, string[]>();
      for (const i of view.images!.images) byPath.set(i.path, [...(byPath.get(i.path) ?? []), i.arch].sort());
      return Object.fromEntries([...byPath].sort());
    };
    const stored = await t.db.image.findMany({ where: { compose: { composeId: "DP-1.0-20160602.t.0" } } });
    expect(Object.fromEntries(stored.map((i) => [i.path, [...i.listedUnder].sort()]).sort())).toEqual(listings(before));
    await expectStoredAsProductmdReads(t.db, before);
    await expectStoredAsProductmdReads(t.db, after);

    // expected difference, from the fixture files: the same files (path, size, checksums) by identity
    const files = (view: ProductmdView) =>
      new Map(view.images!.images.map((i) => [JSON.stringify([i.variant, i.imageArch, i.subvariant, i.type, i.format, i.discNumber]), JSON.stringify([i.path, i.size, i.checksums])]));
    expect(files(after)).toEqual(files(before));
    const diff = await diffComposeIds(t.db, "DP-1.0-20160602.t.0", "DP-1.0-20160602.t.1");
    expect(diff.images).toEqual({ added: [], removed: [], changed: [] });
    expect(diff.packages).toEqual({ added: [], removed: [], upgraded: [], downgraded: [] });
  });

  it("f20 -> f23: every image of one is removed, every image of the other added", async () => {
    const raw = async (name: string) => JSON.parse(await readFile(path.join(PRODUCTMD_FIXTURES, "images", name), "utf8"));
    const identities = (doc: { payload: { images: Record<string, Record<string, { type: string; format?: string; subvariant?: string; arch: string }[]>> } }) =>
      Object.entries(doc.payload.images)
        .flatMap(([variant, arches]) => Object.values(arches).flatMap((list) => list.map((i) => `${variant}/${i.arch}/${i.subvariant ?? ""}/${i.type}/${i.format ?? "iso"}`)))
        .sort();
    const diff = await diffComposeIds(t.db, "Fedora-20-20131212.0", "Fedora-23-20151030.0");
    const label = (i: { variant: string; arch: string; subvariant: string; type: string; format: string }) => `${i.variant}/${i.arch}/${i.subvariant}/${i.type}/${i.format}`;
    expect(diff.images.removed.map(label).sort()).toEqual(identities(await raw("f20.json")));
    expect(diff.images.added.map(label).sort()).toEqual(identities(await raw("f23.json")));
    expect(diff.images.changed).toEqual([]);
  });
});

describe("composes generated by productmd", () => {
  let gen: string;
  beforeAll(async () => {
    gen = path.join(tmp, "gen");
    await generateCompose(gen, "--sources", "40", "--seed", "11", "--variants", "Everything,Server,Workstation,Container", "--arches", "x86_64,aarch64,s390x", "--images-per-variant-arch", "2");
  });

  it("are stored exactly as productmd reads them: variants, images, every rpms.json entry", async () => {
    const view = await productmdLoad(gen);
    const result = await ingestCompose(t.db, gen);
    expect(result).toMatchObject({ created: true, rpmEntries: view.rpms!.count, images: view.images!.images.length, variants: view.composeinfo.variants.length });
    expect(view.rpms!.count).toBeGreaterThan(500);
    await expectStoredAsProductmdReads(t.db, view);
  });

  it("ingesting the same compose again duplicates nothing and fails nothing", async () => {
    const before = await countRows(t.db);
    const again = await ingestCompose(t.db, gen);
    expect(again.created).toBe(false);
    expect(again.status).toBe("FINISHED");
    expect(await countRows(t.db)).toEqual(before);
  });

  it("ingests at the same time: of one new compose, one creates it and the other finds it; two composes of a new release both land", async () => {
    const dir = path.join(tmp, "raced");
    const other = path.join(tmp, "raced-other");
    const args = ["--sources", "30", "--release-version", "36", "--variants", "Everything,Server", "--arches", "x86_64,aarch64"];
    await generateCompose(dir, ...args, "--seed", "15", "--date", "20250601");
    await generateCompose(other, ...args, "--seed", "16", "--date", "20250602");
    const before = await countRows(t.db);
    const results = await Promise.all([ingestCompose(t.db, dir), ingestCompose(t.db, dir), ingestCompose(t.db, other)]);
    expect(results.map((r) => `${r.composeId} ${r.created}`).sort()).toEqual([
      "Fedora-36-20250601.n.0 false",
      "Fedora-36-20250601.n.0 true",
      "Fedora-36-20250602.n.0 true",
    ]);
    for (const d of [dir, other]) await expectStoredAsProductmdReads(t.db, await productmdLoad(d));
    const after = await countRows(t.db);
    expect(after.Compose - before.Compose).toBe(2);
    expect(after.Release - before.Release).toBe(1);
  });

  it("a STATUS change seen on re-ingest (STARTED -> FINISHED) is recorded, with when it finished", async () => {
    const dir = path.join(tmp, "started");
    await generateCompose(dir, "--sources", "10", "--seed", "12", "--variants", "Everything", "--arches", "x86_64", "--release-version", "41", "--status", "STARTED");
    const first = await ingestCompose(t.db, dir);
    expect(first).toMatchObject({ created: true, status: "STARTED" });
    const id = first.composeId;
    expect(await t.db.compose.findUniqueOrThrow({ where: { composeId: id } })).toMatchObject({ status: "STARTED", finishedAt: null });
    const before = await countRows(t.db);

    await writeFile(path.join(dir, "STATUS"), "FINISHED\n");
    const finishedAt = new Date("2025-01-01T05:43:21Z");
    await utimes(path.join(dir, "STATUS"), finishedAt, finishedAt);
    const second = await ingestCompose(t.db, dir);
    expect(second).toMatchObject({ created: false, status: "FINISHED" });
    const row = await t.db.compose.findUniqueOrThrow({ where: { composeId: id } });
    expect(row.status).toBe("FINISHED");
    expect(row.finishedAt?.toISOString()).toBe(finishedAt.toISOString());
    expect(await countRows(t.db)).toEqual(before);
  });

  it("gzip-compressed metadata ingests the same as productmd reads it", async () => {
    const dir = path.join(tmp, "gz");
    const report = await generateCompose(dir, "--sources", "25", "--seed", "13", "--gzip", "--release-version", "40", "--variants", "Everything,Server", "--arches", "x86_64,aarch64");
    const view = await productmdLoad(dir);
    expect(view.rpms!.count).toBe(report.rpms);
    const result = await ingestCompose(t.db, dir);
    expect(result.rpmEntries).toBe(report.rpms);
    await expectStoredAsProductmdReads(t.db, view);
  });

  it("over HTTP from a compose mirror (.json.gz), STATUS time from Last-Modified", async () => {
    const root = path.join(tmp, "mirror");
    const dir = path.join(root, "Fedora-39-20250101.n.0");
    await generateCompose(dir, "--sources", "25", "--seed", "14", "--gzip", "--release-version", "39", "--variants", "Everything,Workstation", "--arches", "x86_64,aarch64");
    const statusTime = new Date("2025-01-02T03:04:05Z");
    await utimes(path.join(dir, "STATUS"), statusTime, statusTime);
    const server = await serveDirectory(root);
    try {
      const result = await ingestCompose(t.db, `${server.url}/Fedora-39-20250101.n.0/`);
      const view = await productmdLoad(dir);
      expect(result).toMatchObject({ created: true, composeId: view.composeinfo.compose.id, rpmEntries: view.rpms!.count, status: "FINISHED" });
      await expectStoredAsProductmdReads(t.db, view);
      expect(server.requests).toContain("GET /Fedora-39-20250101.n.0/compose/metadata/rpms.json.gz");
      const row = await t.db.compose.findUniqueOrThrow({ where: { composeId: view.composeinfo.compose.id } });
      expect(row.finishedAt?.toISOString()).toBe(statusTime.toISOString());
      expect(row.location).toBe(`${server.url}/Fedora-39-20250101.n.0/`);
    } finally {
      await server.close();
    }
  });
});

describe("broken metadata: the error names the file and the JSON path, and nothing is written", () => {
  let good: string;
  beforeAll(async () => {
    good = path.join(tmp, "good");
    await generateCompose(good, "--sources", "40", "--seed", "21", "--release-version", "38", "--variants", "Everything,Server,Workstation", "--arches", "x86_64,aarch64");
  });

  async function expectNothingWritten(run: () => Promise<unknown>): Promise<ProductmdError> {
    const before = await countRows(t.db);
    const error = await run().then(
      () => {
        throw new Error("ingest succeeded");
      },
      (e: unknown) => e,
    );
    expect(await countRows(t.db)).toEqual(before);
    expect(error).toBeInstanceOf(ProductmdError);
    return error as ProductmdError;
  }

  it("invalid JSON two thirds into rpms.json, after many batches went into the staging table", async () => {
    const dir = path.join(tmp, "bad-rpms");
    await cp(good, dir, { recursive: true });
    const file = path.join(dir, "compose/metadata/rpms.json");
    const doc = JSON.parse(await readFile(file, "utf8"));
    // the entry two thirds of the way through the file
    const keys: [string, string, string, string][] = [];
    for (const [variant, arches] of Object.entries<Record<string, Record<string, object>>>(doc.payload.rpms)) {
      for (const [arch, srpms] of Object.entries(arches)) for (const [srpm, rpms] of Object.entries(srpms)) for (const nevra of Object.keys(rpms)) keys.push([variant, arch, srpm, nevra]);
    }
    const [variant, arch, srpm, nevra] = keys[Math.floor((keys.length * 2) / 3)]!;
    doc.payload.rpms[variant][arch][srpm][nevra] = "__BROKEN__";
    await writeFile(file, JSON.stringify(doc, null, 4).replace('"__BROKEN__"', '{"category": "binary", "path": }'));

    const error = await expectNothingWritten(() => ingestCompose(t.db, dir, { batchSize: 50 }));
    expect(error.file).toBe(file);
    expect(error.jsonPath).toContain(`payload.rpms.${variant}.${arch}[${JSON.stringify(srpm)}][${JSON.stringify(nevra)}]`);
    expect(error.message).toContain("rpms.json");
    expect(error.detail).toMatch(/invalid JSON/);
    expect(keys.length).toBeGreaterThan(300); // so 2/3 in is several 50-entry batches
  });

  it("a wrong type deep in images.json", async () => {
    const dir = path.join(tmp, "bad-images");
    await cp(good, dir, { recursive: true });
    const file = path.join(dir, "compose/metadata/images.json");
    const doc = JSON.parse(await readFile(file, "utf8"));
    doc.payload.images.Server.aarch64[0].checksums.sha256 = 12345;
    await writeFile(file, JSON.stringify(doc, null, 4));
    const error = await expectNothingWritten(() => ingestCompose(t.db, dir));
    expect(error.file).toBe(file);
    expect(error.jsonPath).toBe("payload.images.Server.aarch64[0].checksums.sha256");
    expect(error.message).toContain("images.json");
  });

  it("an rpms.json entry that breaks productmd's rules (source RPM filed as binary)", async () => {
    const dir = path.join(tmp, "bad-category");
    await cp(good, dir, { recursive: true });
    const file = path.join(dir, "compose/metadata/rpms.json");
    const doc = JSON.parse(await readFile(file, "utf8"));
    const arches = doc.payload.rpms.Workstation;
    const arch = Object.keys(arches).sort().at(-1)!;
    const srpm = Object.keys(arches[arch]).sort().at(-1)!;
    arches[arch][srpm][srpm].category = "binary";
    await writeFile(file, JSON.stringify(doc, null, 4));
    const error = await expectNothingWritten(() => ingestCompose(t.db, dir, { batchSize: 20 }));
    expect(error.file).toBe(file);
    expect(error.jsonPath).toBe(`payload.rpms.Workstation.${arch}[${JSON.stringify(srpm)}][${JSON.stringify(srpm)}].category`);
  });
});

describe("compactness", () => {
  it("two composes sharing most packages: each distinct NEVRA stored once, one id array per variant/arch/category", async () => {
    const fresh = await createTestDatabase();
    try {
      const a = path.join(tmp, "compact-a");
      const b = path.join(tmp, "compact-b");
      await generateCompose(a, "--sources", "60", "--seed", "31");
      await generateCompose(b, "--previous", a, "--upgrade", "4", "--add", "3", "--remove", "2", "--seed", "32");
      await ingestCompose(fresh.db, a);
      await ingestCompose(fresh.db, b);
      const entries = [...(await productmdLoad(a)).rpms!.entries, ...(await productmdLoad(b)).rpms!.entries];
      const nevras = new Set(entries.flatMap((e) => [e.nevra, e.srpmNevra]));
      const builds = new Set(entries.map((e) => {
        const s = splitNevra(e.srpmNevra);
        return `${s.name}-${s.version}-${s.release}`;
      }));
      const groups = new Set([
        ...(await productmdLoad(a)).rpms!.entries.map((e) => `a/${e.variant}/${e.arch}/${e.category}`),
        ...(await productmdLoad(b)).rpms!.entries.map((e) => `b/${e.variant}/${e.arch}/${e.category}`),
      ]);
      const rows = await countRows(fresh.db);
      expect(entries.length).toBeGreaterThan(nevras.size * 2); // the composes do share most of it
      expect(rows.Rpm).toBe(nevras.size);
      expect(rows.Build).toBe(builds.size);
      expect(rows.ComposeRpmSet).toBe(groups.size);
      const [sum] = await fresh.db.$queryRaw<{ n: number }[]>`SELECT sum(cardinality("rpmIds"))::int AS n FROM "ComposeRpmSet"`;
      expect(sum!.n).toBe(entries.length);
    } finally {
      await fresh.drop();
    }
  });
});

describe("round trip through our writer", () => {
  it("writeComposeTree output loads in productmd and ingests exactly as productmd reports it", async () => {
    const dir = path.join(tmp, "ours");
    const rpm = (variant: string, arch: string, nevra: string, srpm: string, category: "binary" | "debug" | "source", extra: object = {}) => ({ variant, arch, nevra, srpmNevra: srpm, category, sigkey: "a15b79cc", ...extra });
    const bashSrc = "bash-0:5.2.37-1.fc44.src";
    const kernelSrc = "kernel-0:6.13.0-1.fc44.src";
    const rpms = ["x86_64", "aarch64"].flatMap((arch) => [
      rpm("Everything", arch, bashSrc, bashSrc, "source"),
      rpm("Everything", arch, `bash-0:5.2.37-1.fc44.${arch}`, bashSrc, "binary"),
      rpm("Everything", arch, `bash-debuginfo-0:5.2.37-1.fc44.${arch}`, bashSrc, "debug"),
      rpm("Everything", arch, kernelSrc, kernelSrc, "source"),
      rpm("Everything", arch, `kernel-core-0:6.13.0-1.fc44.${arch}`, kernelSrc, "binary"),
      // an unsigned RPM, and one at a path Pungi would not choose: exceptions to the common values
      rpm("Everything", arch, `kernel-tools-0:6.13.0-1.fc44.${arch}`, kernelSrc, "binary", { sigkey: null }),
      rpm("Everything", arch, `kernel-doc-0:6.13.0-1.fc44.noarch`, kernelSrc, "binary", { path: `Everything/${arch}/os/extra/kernel-doc-6.13.0-1.fc44.noarch.rpm` }),
    ]);
    await writeComposeTree(dir, {
      composeinfo: {
        compose: { id: "Fedora-37-20250301.n.0", date: "20250301", respin: 0, type: "nightly", label: null, final: false },
        release: { name: "Fedora", version: "37", short: "Fedora", type: "ga", isLayered: false, internal: false },
        baseProduct: null,
        variants: [{ uid: "Everything", id: "Everything", name: "Everything", type: "variant", arches: ["aarch64", "x86_64"], parent: null, release: null }],
      },
      rpms,
      images: [
        { variant: "Everything", arch: "x86_64", fileName: "Fedora-Everything-netinst-x86_64-37-20250301.n.0.iso", type: "boot", format: "iso", subvariant: "Everything", size: 734003200, mtime: 1740800000, checksums: { sha256: "a".repeat(64) } },
        { variant: "Everything", arch: "aarch64", fileName: "Fedora-Everything-netinst-aarch64-37-20250301.n.0.iso", type: "boot", format: "iso", subvariant: "Everything", size: 801112064, mtime: 1740800000, checksums: { sha256: "b".repeat(64) } },
      ],
    });
    expect(await productmdValidate(dir)).toMatchObject({ ok: true });
    const view = await productmdLoad(dir);
    expect(view.rpms!.count).toBe(rpms.length);
    await ingestCompose(t.db, dir);
    await expectStoredAsProductmdReads(t.db, view);
    // the exceptions really are stored as exceptions, the rest as the common directory and key
    const sets = await t.db.composeRpmSet.findMany({ where: { compose: { composeId: "Fedora-37-20250301.n.0" }, category: "binary" } });
    for (const s of sets) {
      expect(s.pathDir).toBe(`Everything/${s.arch}/os/Packages`);
      expect(s.sigkey).toBe("a15b79cc");
      expect(Object.values(s.pathExceptions as object)).toEqual([`Everything/${s.arch}/os/extra/kernel-doc-6.13.0-1.fc44.noarch.rpm`]);
      expect(Object.values(s.sigkeyExceptions as object)).toEqual([null]);
    }
  });
});
