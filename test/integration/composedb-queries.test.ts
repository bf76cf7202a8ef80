// composedb's answers (diff, arches, status, updates pushes, sizes) on ingested composes, with
// every expectation worked out independently: from what productmd itself reads out of the
// generated composes (`productmd_tool.py load`), from the bodhi messages' JSON, or from the
// size table the test composes were written from.
import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { SaxesParser } from "saxes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestCompose } from "../../src/composedb/ingest.js";
import {
  attributeImageSizeChange,
  compareComposeArches,
  ComposeNotFound,
  diffComposeIds,
  ReleaseNotFound,
  releaseStatus,
  sizeSeries,
} from "../../src/composedb/queries.js";
import { formatStatusText } from "../../src/composedb/status-text.js";
import { pushFromMessage, recordUpdatesPush, updateCompleteBodySchema } from "../../src/composedb/updates-push.js";
import { growersAndShrinkers, renderSizePlot, seriesToCsv, sizeTrends } from "../../src/domain/size-history.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import {
  countRows,
  evrOf,
  FEDORA_MESSAGES,
  generateCompose,
  productmdLoad,
  SIZE_HISTORY,
  splitNevra,
  writeSizeHistory,
  type GenerateReport,
  type ProductmdView,
} from "../support/composedb.js";

let t: TestDatabase;
let tmp: string;
beforeAll(async () => {
  t = await createTestDatabase();
  tmp = await mkdtemp(path.join(tmpdir(), "composedb-queries-"));
});
afterAll(async () => {
  await t?.drop();
  await rm(tmp, { recursive: true, force: true });
});

const byName = <T extends { name: string }>(list: T[]) => [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

/** source package name -> EVR, as productmd lists the SRPMs */
function sourcePackages(view: ProductmdView): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of view.rpms!.entries) if (e.category === "source") out.set(splitNevra(e.nevra).name, evrOf(e.nevra));
  return out;
}

describe("diff of two consecutive productmd-generated composes", () => {
  let a: ProductmdView;
  let b: ProductmdView;
  let report: GenerateReport;
  beforeAll(async () => {
    const dirA = path.join(tmp, "diff-a");
    const dirB = path.join(tmp, "diff-b");
    await generateCompose(dirA, "--sources", "120", "--seed", "41", "--date", "20250110");
    report = await generateCompose(dirB, "--previous", dirA, "--upgrade", "6", "--add", "4", "--remove", "3", "--resize-images", "5", "--seed", "42");
    await ingestCompose(t.db, dirA);
    await ingestCompose(t.db, dirB);
    [a, b] = await Promise.all([productmdLoad(dirA), productmdLoad(dirB)]);
  });

  it("names the packages added, removed and upgraded, with their EVRs", async () => {
    const before = sourcePackages(a);
    const after = sourcePackages(b);
    const added = [...after].filter(([n]) => !before.has(n)).map(([name, to]) => ({ name, to }));
    const removed = [...before].filter(([n]) => !after.has(n)).map(([name, from]) => ({ name, from }));
    const upgraded = [...after].filter(([n, evr]) => before.has(n) && before.get(n) !== evr).map(([name, to]) => ({ name, from: before.get(name)!, to }));
    // the generator's own account of what it did agrees
    expect(added).toHaveLength(4);
    expect(removed.map((r) => r.name).sort()).toEqual([...report.changes!.removed].sort());
    expect(upgraded.map((u) => u.name).sort()).toEqual(report.changes!.upgraded.map((s) => splitNevra(s).name).sort());

    const diff = await diffComposeIds(t.db, a.composeinfo.compose.id, b.composeinfo.compose.id);
    expect(diff.from).toBe(a.composeinfo.compose.id);
    expect(diff.packages.added.map(({ name, to }) => ({ name, to }))).toEqual(byName(added));
    expect(diff.packages.removed.map(({ name, from }) => ({ name, from }))).toEqual(byName(removed));
    expect(diff.packages.upgraded.map(({ name, from, to }) => ({ name, from, to }))).toEqual(byName(upgraded));
    expect(diff.packages.downgraded).toEqual([]);

    // where each upgrade was seen: every variant/arch that lists the package
    for (const u of diff.packages.upgraded) {
      const where = new Set(b.rpms!.entries.filter((e) => splitNevra(e.srpmNevra).name === u.name).map((e) => `${e.variant}/${e.arch}`));
      expect(new Set(u.variants)).toEqual(where);
    }
  });

  it("lists binary RPMs that appeared and disappeared", async () => {
    const binaries = (v: ProductmdView) => new Set(v.rpms!.entries.filter((e) => e.category !== "source").map((e) => e.nevra));
    const before = binaries(a);
    const after = binaries(b);
    const diff = await diffComposeIds(t.db, a.composeinfo.compose.id, b.composeinfo.compose.id);
    expect([...diff.rpms.added].sort()).toEqual([...after].filter((n) => !before.has(n)).sort());
    expect([...diff.rpms.removed].sort()).toEqual([...before].filter((n) => !after.has(n)).sort());
    expect(diff.rpms.added.length).toBeGreaterThan(0);
  });

  it("finds exactly the resized images, with their size change", async () => {
    const key = (i: { variant: string; imageArch?: string; arch: string; subvariant: string; type: string; format: string; discNumber: number }) =>
      [i.variant, i.imageArch ?? i.arch, i.subvariant, i.type, i.format, i.discNumber].join("/");
    const sizes = new Map(a.images!.images.map((i) => [key(i), i]));
    const expected = b.images!.images
      .filter((i) => JSON.stringify(i.checksums) !== JSON.stringify(sizes.get(key(i))!.checksums))
      .map((i) => ({ id: key(i), sizeDelta: i.size - sizes.get(key(i))!.size }))
      .sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(expected).toHaveLength(5);
    const diff = await diffComposeIds(t.db, a.composeinfo.compose.id, b.composeinfo.compose.id);
    expect(diff.images.added).toEqual([]);
    expect(diff.images.removed).toEqual([]);
    const resized = diff.images.changed.filter((c) => c.checksumChanged).map((c) => ({ id: key(c), sizeDelta: c.sizeDelta })).sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(resized).toEqual(expected);
    // every other image only moved to the new compose's path
    for (const c of diff.images.changed.filter((c) => !c.checksumChanged)) expect(c.sizeDelta).toBe(0);
  });

  it("an unknown compose is named", async () => {
    await expect(diffComposeIds(t.db, a.composeinfo.compose.id, "Fedora-Rawhide-19991231.n.0")).rejects.toThrow(new ComposeNotFound("Fedora-Rawhide-19991231.n.0"));
  });
});

describe("arches", () => {
  /** expected source-package presence per variant, from productmd's entries: name -> columns it is on */
  function expectedSources(columns: { label: string; view: ProductmdView; arch: string }[], variant: string) {
    const on = new Map<string, Set<string>>();
    for (const c of columns) {
      for (const e of c.view.rpms!.entries) {
        if (e.variant !== variant || e.arch !== c.arch) continue;
        const name = splitNevra(e.srpmNevra).name;
        on.set(name, (on.get(name) ?? new Set()).add(c.label));
      }
    }
    const labels = columns.map((c) => c.label).sort();
    return [...on]
      .filter(([, set]) => set.size < labels.length)
      .map(([name, set]) => ({ name, presentOn: labels.filter((l) => set.has(l)), missingOn: labels.filter((l) => !set.has(l)) }))
      .sort((x, y) => (x.name < y.name ? -1 : 1));
  }

  let primary: ProductmdView;
  let secondary: ProductmdView;
  beforeAll(async () => {
    const p = path.join(tmp, "primary");
    const s = path.join(tmp, "secondary");
    // same seed and sources: the same packages; Fedora's arch-exclusive ones (x86_64/aarch64 only) differ
    await generateCompose(p, "--sources", "200", "--seed", "51", "--date", "20250201", "--variants", "Everything,Server", "--arches", "x86_64,aarch64,ppc64le");
    await generateCompose(s, "--sources", "200", "--seed", "51", "--date", "20250201", "--variants", "Everything", "--arches", "ppc64le,s390x",
      "--compose-id", "Fedora-Rawhide-Secondary-20250201.n.0");
    await ingestCompose(t.db, p);
    await ingestCompose(t.db, s);
    [primary, secondary] = await Promise.all([productmdLoad(p), productmdLoad(s)]);
  });

  it("within a compose: packages some arches lack", async () => {
    const id = primary.composeinfo.compose.id;
    const result = await compareComposeArches(t.db, id);
    expect(result.columns.map((c) => c.label)).toEqual(["aarch64", "ppc64le", "x86_64"]);
    for (const variant of primary.composeinfo.variants) {
      const columns = variant.arches.map((arch) => ({ label: arch, arch, view: primary }));
      const expected = expectedSources(columns, variant.uid);
      const got = result.variants.find((v) => v.variant === variant.uid)!;
      expect(got.arches).toEqual([...variant.arches].sort());
      expect(got.sourcePackages).toEqual(expected);
      if (variant.uid === "Everything") expect(expected.length).toBeGreaterThan(0);
      expect(got.images).toEqual([]); // one image of the same kind per arch
      expect(got.versionSkew).toEqual([]);
    }
  });

  it("within a compose, only the arches asked for; an arch the compose lacks is named", async () => {
    const result = await compareComposeArches(t.db, primary.composeinfo.compose.id, undefined, ["x86_64", "ppc64le", "riscv64"]);
    const everything = result.variants.find((v) => v.variant === "Everything")!;
    expect(everything.arches).toEqual(["ppc64le", "x86_64"]);
    expect(everything.absentArches).toEqual(["riscv64"]);
    expect(everything.sourcePackages).toEqual(expectedSources(["x86_64", "ppc64le"].map((arch) => ({ label: arch, arch, view: primary })), "Everything"));
  });

  it("between the primary compose and a secondary-arch compose", async () => {
    const result = await compareComposeArches(t.db, primary.composeinfo.compose.id, secondary.composeinfo.compose.id);
    const pid = primary.composeinfo.compose.id;
    const sid = secondary.composeinfo.compose.id;
    // ppc64le is in both: the secondary's column is told apart by its compose id
    expect(result.columns).toEqual([
      { label: "aarch64", composeId: pid, arch: "aarch64" },
      { label: "ppc64le", composeId: pid, arch: "ppc64le" },
      { label: `ppc64le@${sid}`, composeId: sid, arch: "ppc64le" },
      { label: "s390x", composeId: sid, arch: "s390x" },
      { label: "x86_64", composeId: pid, arch: "x86_64" },
    ]);
    const columns = [
      ...["x86_64", "aarch64", "ppc64le"].map((arch) => ({ label: arch, arch, view: primary })),
      { label: `ppc64le@${sid}`, arch: "ppc64le", view: secondary },
      { label: "s390x", arch: "s390x", view: secondary },
    ];
    const everything = result.variants.find((v) => v.variant === "Everything")!;
    const expected = expectedSources(columns, "Everything");
    expect(everything.sourcePackages).toEqual(expected);
    // the arch-exclusive packages: on x86_64 and aarch64, missing from s390x
    expect(expected.some((p) => p.missingOn.includes("s390x") && p.presentOn.includes("x86_64"))).toBe(true);
    const server = result.variants.find((v) => v.variant === "Server")!;
    expect(server.arches).toEqual(["aarch64", "ppc64le", "x86_64"]);
  });
});

describe("status", () => {
  beforeAll(async () => {
    const composes: [string, string, string][] = [
      ["20250101", "Everything,Server,Workstation", "FINISHED"],
      ["20250102", "Everything,Server", "FINISHED_INCOMPLETE"],
      ["20250103", "Everything,Server,Workstation", "DOOMED"],
      ["20250104", "Everything,Server,Workstation", "STARTED"],
    ];
    for (const [date, variants, status] of composes) {
      const dir = path.join(tmp, `status-${date}`);
      await generateCompose(dir, "--sources", "5", "--seed", date, "--release-version", "42", "--date", date, "--variants", variants, "--arches", "x86_64", "--status", status);
      await ingestCompose(t.db, dir);
    }
    // a production compose of another release must not count
    const other = path.join(tmp, "status-other");
    await generateCompose(other, "--sources", "5", "--seed", "9", "--release-version", "44", "--date", "20250105", "--type", "production", "--variants", "Everything", "--arches", "x86_64");
    await ingestCompose(t.db, other);
  });

  const status = async () => (await releaseStatus(t.db, "Fedora-42"))[0]!;

  it("no required variants: the newest FINISHED or FINISHED_INCOMPLETE nightly worked; the last compose is the STARTED one", async () => {
    const s = await status();
    expect(s.lastWorkingNightly).toMatchObject({ composeId: "Fedora-42-20250102.n.0", status: "FINISHED_INCOMPLETE", missingRequiredVariants: [] });
    expect(s.lastCompose).toMatchObject({ composeId: "Fedora-42-20250104.n.0", status: "STARTED", finishedAt: null });
  });

  it("a FINISHED_INCOMPLETE nightly without a required variant did not work", async () => {
    await t.db.release.update({ where: { name: "Fedora-42" }, data: { requiredVariants: ["Everything", "Workstation"] } });
    const s = await status();
    expect(s.requiredVariants).toEqual(["Everything", "Workstation"]);
    expect(s.lastWorkingNightly).toMatchObject({ composeId: "Fedora-42-20250101.n.0", status: "FINISHED" });

    await t.db.release.update({ where: { name: "Fedora-42" }, data: { requiredVariants: ["Everything", "Server"] } });
    expect((await status()).lastWorkingNightly?.composeId).toBe("Fedora-42-20250102.n.0");
  });

  it("every release, or an unknown one named", async () => {
    const all = await releaseStatus(t.db);
    expect(all.map((s) => s.release)).toContain("Fedora-44");
    expect(all.find((s) => s.release === "Fedora-44")!.lastWorkingNightly).toBeNull(); // production, not nightly
    await expect(releaseStatus(t.db, "Fedora-99")).rejects.toThrow(new ReleaseNotFound("Fedora-99"));
  });
});

describe("status with a required variant that is listed but empty", () => {
  it("a nightly whose Workstation has no images and no RPMs did not work, and status names the empty variant", async () => {
    const composes: [string, string][] = [
      ["20250201", ""],
      ["20250202", "Workstation"],
    ];
    for (const [date, empty] of composes) {
      const dir = path.join(tmp, `status-empty-${date}`);
      await generateCompose(dir, "--sources", "5", "--seed", date, "--release-version", "43", "--date", date, "--variants", "Everything,Server,Workstation", "--arches", "x86_64", "--images-per-variant-arch", "0", "--empty-variants", empty);
      await ingestCompose(t.db, dir);
    }
    // The variant is in composeinfo.json all the same: only its content is gone.
    const emptied = await t.db.compose.findUnique({ where: { composeId: "Fedora-43-20250202.n.0" }, include: { variants: true, rpmSets: { select: { variantUid: true } } } });
    expect(emptied!.variants.map((v) => v.uid).sort()).toEqual(["Everything", "Server", "Workstation"]);
    expect(emptied!.rpmSets.some((r) => r.variantUid === "Workstation")).toBe(false);
    expect(emptied!.rpmSets.some((r) => r.variantUid === "Server")).toBe(true);

    await t.db.release.update({ where: { name: "Fedora-43" }, data: { requiredVariants: ["Everything", "Workstation"] } });
    const [s] = await releaseStatus(t.db, "Fedora-43");
    expect(s!.lastCompose).toMatchObject({ composeId: "Fedora-43-20250202.n.0", status: "FINISHED", emptyVariants: ["Workstation"], missingRequiredVariants: ["Workstation"] });
    expect(s!.lastWorkingNightly).toMatchObject({ composeId: "Fedora-43-20250201.n.0", emptyVariants: [], missingRequiredVariants: [] });
    expect(formatStatusText([s!])).toMatch(/last compose: +Fedora-43-20250202\.n\.0 FINISHED( at \S+)? \(missing required Workstation; empty: Workstation\)/);

    // Not required, an empty variant does not stop a nightly from counting.
    await t.db.release.update({ where: { name: "Fedora-43" }, data: { requiredVariants: ["Everything"] } });
    expect((await releaseStatus(t.db, "Fedora-43"))[0]!.lastWorkingNightly?.composeId).toBe("Fedora-43-20250202.n.0");
  });
});

describe("updates pushes from Bodhi's update.complete messages", () => {
  const message = async (file: string) => JSON.parse(await readFile(path.join(FEDORA_MESSAGES, file), "utf8")) as { topic: string; body: unknown };
  async function record(file: string, at: Date) {
    const m = await message(file);
    const push = pushFromMessage(m.topic, updateCompleteBodySchema.parse(m.body), at);
    await recordUpdatesPush(t.db, push);
    return push;
  }

  it("the last stable and testing push of a release", async () => {
    const bodhi4 = (await message("bodhi.update.complete.testing-2.json")).body as {
      update: { alias: string; date_pushed: string; release: { composes: { request: string; checkpoints: string }[] }; builds: { nvr: string }[] };
    };
    // what the message says, read here without the project's parser
    const repo = JSON.parse(bodhi4.update.release.composes.find((c) => c.request === "testing")!.checkpoints).completed_repo as string;
    const testingPushKey = path.posix.basename(repo);
    const testingPushedAt = new Date(`${bodhi4.update.date_pushed.replace(" ", "T")}Z`).toISOString();

    // an older testing push (a message without a push date: the time it was sent), and a stable push
    await record("bodhi.update.complete.testing-3.json", new Date("2019-05-01T10:00:00Z"));
    const testing = await record("bodhi.update.complete.testing-2.json", new Date("2019-06-06T03:32:00Z"));
    await record("bodhi.update.complete.stable-1.json", new Date("2019-07-01T12:00:00Z"));
    expect(testing.pushKey).toBe(testingPushKey);

    const [s] = await releaseStatus(t.db, "Fedora-29");
    expect(s!.lastUpdatesPush.testing).toEqual({ pushedAt: testingPushedAt, updates: [bodhi4.update.alias], builds: bodhi4.update.builds.length });
    const stable = (await message("bodhi.update.complete.stable-1.json")).body as { update: { alias: string; builds: unknown[] } };
    expect(s!.lastUpdatesPush.stable).toEqual({ pushedAt: "2019-07-01T12:00:00.000Z", updates: [stable.update.alias], builds: stable.update.builds.length });
    const agent = ((await message("bodhi.update.complete.testing-2.json")).body as { agent: string }).agent;
    expect(await t.db.updatesPush.findUniqueOrThrow({ where: { pushKey: testingPushKey } })).toMatchObject({ request: "testing", agent, updates: [bodhi4.update.alias] });
  });

  it("recording the same message twice changes nothing", async () => {
    const before = { rows: await countRows(t.db), pushes: await t.db.updatesPush.findMany({ orderBy: { id: "asc" } }) };
    await record("bodhi.update.complete.testing-2.json", new Date("2019-06-06T03:32:00Z"));
    await record("bodhi.update.complete.stable-1.json", new Date("2019-07-01T12:00:00Z"));
    // redelivered later the same day: stable-1 has no push date, so only the time it arrived differs
    await record("bodhi.update.complete.stable-1.json", new Date("2019-07-01T18:30:00Z"));
    expect(await countRows(t.db)).toEqual(before.rows);
    expect(await t.db.updatesPush.findMany({ orderBy: { id: "asc" } })).toEqual(before.pushes);
  });

  it("a 2015 message without a release is refused, naming what is missing", async () => {
    const m = await message("bodhi.update.complete.testing-1.json");
    const parsed = updateCompleteBodySchema.safeParse(m.body);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(["update", "release"]);
  });
});

describe("image sizes over six composes", () => {
  beforeAll(async () => {
    for (const dir of await writeSizeHistory(path.join(tmp, "sizes"))) await ingestCompose(t.db, dir);
  });

  const label = (i: { variant: string; subvariant: string; type: string; format: string; arch: string }) =>
    `${SIZE_HISTORY.release}/${i.variant}/${i.subvariant}/${i.type}.${i.format}/${i.arch}`;

  it("one series per image, oldest compose first (respins after their date's first compose)", async () => {
    const series = await sizeSeries(t.db, { release: SIZE_HISTORY.release });
    expect(series).toHaveLength(SIZE_HISTORY.images.length);
    for (const im of SIZE_HISTORY.images) {
      const s = series.find((x) => label(x.identity) === label(im))!;
      expect(s.points.map((p) => [p.composeId, p.size])).toEqual(SIZE_HISTORY.composes.map((c, i) => [c.id, im.sizes[i]]));
    }
  });

  it("growers and shrinkers, biggest change first; a window restricts both", async () => {
    const expectFrom = (first: number, last: number) => {
      const deltas = SIZE_HISTORY.images.map((im) => ({ label: label(im), delta: im.sizes[last]! - im.sizes[first]! }));
      return {
        growers: deltas.filter((d) => d.delta > 0).sort((x, y) => y.delta - x.delta),
        shrinkers: deltas.filter((d) => d.delta < 0).sort((x, y) => x.delta - y.delta),
      };
    };
    const got = (r: ReturnType<typeof growersAndShrinkers>) => ({
      growers: r.growers.map((t) => ({ label: label(t.identity), delta: t.delta })),
      shrinkers: r.shrinkers.map((t) => ({ label: label(t.identity), delta: t.delta })),
    });
    const series = await sizeSeries(t.db, { release: SIZE_HISTORY.release });
    const all = expectFrom(0, 5);
    expect(got(growersAndShrinkers(sizeTrends(series)))).toEqual(all);
    expect(all.growers.map((g) => g.label)).toEqual(["Fedora-43/Workstation/Workstation/live.iso/x86_64", "Fedora-43/KDE/KDE/live.iso/x86_64"]);
    // 20250302..20250304: the window's first compose is the 2nd, its last the respin (index 4)
    const windowed = await sizeSeries(t.db, { release: SIZE_HISTORY.release, from: "20250302", to: "20250304" });
    expect(got(growersAndShrinkers(sizeTrends(windowed, { from: "20250302", to: "20250304" })))).toEqual(expectFrom(1, 4));
    expect(growersAndShrinkers(sizeTrends(series), 1).growers).toHaveLength(1);
  });

  it("CSV: a header and one row per image per compose", async () => {
    const csv = seriesToCsv(await sizeSeries(t.db, { release: SIZE_HISTORY.release, arch: "x86_64" }));
    const lines = csv.trimEnd().split("\n");
    expect(lines[0]).toBe("release,variant,subvariant,type,format,arch,compose_id,date,size_bytes");
    const expected = SIZE_HISTORY.images
      .filter((im) => im.arch === "x86_64")
      .flatMap((im) => SIZE_HISTORY.composes.map((c, i) => [SIZE_HISTORY.release, im.variant, im.subvariant, im.type, im.format, im.arch, c.id, c.date, String(im.sizes[i])].join(",")));
    expect(lines.slice(1).sort()).toEqual(expected.sort());
    expect(csv.endsWith("\n")).toBe(true);
  });

  it("SVG plot: well-formed XML, one point per compose, higher for bigger images", async () => {
    // the Rawhide composes above have a Workstation live ISO too: the release tells them apart
    const all = await sizeSeries(t.db, { variant: "Workstation", type: "live", arch: "x86_64" });
    expect(all.map((s) => s.identity.release)).toEqual(expect.arrayContaining([SIZE_HISTORY.release, "Fedora-Rawhide"]));
    const series = all.find((s) => s.identity.release === SIZE_HISTORY.release);
    const svg = renderSizePlot(series!);
    const circles: number[] = [];
    let root = "";
    const parser = new SaxesParser();
    parser.on("opentag", (tag) => {
      root ||= tag.name;
      if (tag.name === "circle") circles.push(Number(tag.attributes.cy));
    });
    parser.write(svg).close();
    expect(root).toBe("svg");
    expect(circles).toHaveLength(SIZE_HISTORY.composes.length);
    const sizes = SIZE_HISTORY.images[0]!.sizes;
    for (let i = 1; i < sizes.length; i++) {
      // SVG y grows downwards
      expect(Math.sign(circles[i - 1]! - circles[i]!)).toBe(Math.sign(sizes[i]! - sizes[i - 1]!));
    }
  });

  it("attribution names the package that entered the image's variant/arch", async () => {
    const [before, after] = [SIZE_HISTORY.composes[1]!.id, SIZE_HISTORY.composes[2]!.id];
    const result = await attributeImageSizeChange(t.db, { variant: "Workstation", arch: "x86_64" }, before, after);
    const entered = SIZE_HISTORY.packages(2).filter(([n]) => !SIZE_HISTORY.packages(1).some(([m]) => m === n));
    expect(entered.map(([n]) => n)).toEqual(["libreoffice-core"]);
    expect(result.contributors[0]).toMatchObject({ name: "libreoffice-core", arch: "x86_64", change: "entered", from: null, to: `libreoffice-core-0:${entered[0]![1]}.x86_64` });
    expect(result.contributors.map((c) => [c.name, c.change])).toEqual([
      ["libreoffice-core", "entered"],
      ["glibc", "upgraded"],
    ]);
  });
});
