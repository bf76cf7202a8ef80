// The composedb HTTP routes over real HTTP (a Router holding only them, on node:http): the same
// answers as the query functions the CLI prints, the right content types, and 400/404 bodies
// that name what was wrong.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { SaxesParser } from "saxes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composedbRoutes } from "../../src/api/composedb.js";
import { Router } from "../../src/api/http.js";
import { ingestCompose } from "../../src/composedb/ingest.js";
import { compareComposeArches, diffComposeIds, releaseStatus, sizeSeries } from "../../src/composedb/queries.js";
import { growersAndShrinkers, seriesToCsv, sizeTrends } from "../../src/domain/size-history.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { generateCompose, productmdLoad, SIZE_HISTORY, splitNevra, writeSizeHistory, type ProductmdView } from "../support/composedb.js";

let t: TestDatabase;
let tmp: string;
let server: http.Server;
let base: string;
let a: ProductmdView;
let b: ProductmdView;
let secondary: ProductmdView;

/** What the API should send for a value: its JSON, as the router serialises it. */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? Number(v) : v)));

beforeAll(async () => {
  t = await createTestDatabase();
  tmp = await mkdtemp(path.join(tmpdir(), "composedb-api-"));
  for (const dir of await writeSizeHistory(path.join(tmp, "sizes"))) await ingestCompose(t.db, dir);
  const dirA = path.join(tmp, "a");
  const dirB = path.join(tmp, "b");
  const dirS = path.join(tmp, "s");
  await generateCompose(dirA, "--sources", "60", "--seed", "61", "--date", "20250110", "--variants", "Everything,Workstation,Server", "--arches", "x86_64,aarch64");
  await generateCompose(dirB, "--previous", dirA, "--upgrade", "3", "--add", "2", "--remove", "2", "--resize-images", "2", "--seed", "62", "--status", "FINISHED_INCOMPLETE");
  await generateCompose(dirS, "--sources", "60", "--seed", "61", "--date", "20250110", "--variants", "Everything", "--arches", "s390x", "--compose-id", "Fedora-Rawhide-Secondary-20250110.n.0");
  for (const dir of [dirA, dirB, dirS]) await ingestCompose(t.db, dir);
  [a, b, secondary] = await Promise.all([productmdLoad(dirA), productmdLoad(dirB), productmdLoad(dirS)]);

  const router = new Router();
  composedbRoutes(router, { db: t.db });
  server = http.createServer((req, res) => void router.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => {
    if (!server) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await t?.drop();
  await rm(tmp, { recursive: true, force: true });
});

async function get(pathAndQuery: string, init?: RequestInit): Promise<{ status: number; type: string; body: any; text: string }> {
  const res = await fetch(base + pathAndQuery, init);
  const text = await res.text();
  const type = res.headers.get("content-type") ?? "";
  return { status: res.status, type, text, body: type.startsWith("application/json") ? JSON.parse(text) : undefined };
}

describe("GET /api/v1/composes", () => {
  const all = () => [
    ...SIZE_HISTORY.composes.map((c) => ({ id: c.id, date: c.date, respin: c.respin })),
    ...[a, b, secondary].map((v) => ({ id: v.composeinfo.compose.id, date: v.composeinfo.compose.date, respin: v.composeinfo.compose.respin })),
  ];
  const newestFirst = (list: { id: string; date: string; respin: number }[]) =>
    [...list].sort((x, y) => (x.date !== y.date ? (x.date < y.date ? 1 : -1) : y.respin - x.respin)).map((c) => c.id);

  it("lists composes newest first", async () => {
    const res = await get("/api/v1/composes");
    expect(res.status).toBe(200);
    const ids = res.body.composes.map((c: { composeId: string }) => c.composeId);
    // two composes share 20250110 (respin 0): only their order between themselves is not defined
    expect(ids.map((id: string) => id.replace("Secondary-", ""))).toEqual(newestFirst(all()).map((id) => id.replace("Secondary-", "")));
  });

  it("filters by release, type and status, and limits", async () => {
    const res = await get("/api/v1/composes?release=Fedora-43&limit=2");
    expect(res.body.composes.map((c: { composeId: string }) => c.composeId)).toEqual(newestFirst(all().filter((c) => c.id.startsWith("Fedora-43-"))).slice(0, 2));
    expect(res.body.composes[0]).toMatchObject({ release: "Fedora-43", type: "nightly", status: "FINISHED", respin: 0, label: null, final: false });
    const incomplete = await get("/api/v1/composes?status=FINISHED_INCOMPLETE");
    expect(incomplete.body.composes.map((c: { composeId: string }) => c.composeId)).toEqual([b.composeinfo.compose.id]);
    expect((await get("/api/v1/composes?type=production")).body.composes).toEqual([]);
    expect((await get("/api/v1/composes?release=Fedora-1")).body.composes).toEqual([]);
  });

  it("400 names each bad parameter", async () => {
    const res = await get("/api/v1/composes?type=weekly&limit=0&relase=Fedora-43");
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([
      { parameter: "type", message: expect.stringContaining("nightly") },
      { parameter: "limit", message: "expected a whole number from 1 to 1000" },
      { parameter: "relase", message: "unknown parameter" },
    ]);
    expect(res.body.error).toContain("relase");
  });
});

describe("GET /api/v1/composes/{composeId}", () => {
  it("summarises one compose: variants, images, RPM sets, status and times", async () => {
    const c = SIZE_HISTORY.composes[2]!;
    const res = await get(`/api/v1/composes/${c.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ composeId: c.id, release: "Fedora-43", date: c.date, respin: c.respin, status: "FINISHED", images: SIZE_HISTORY.images.length });
    expect(res.body.finishedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(res.body.variants.map((v: { uid: string }) => v.uid)).toEqual([...new Set(SIZE_HISTORY.images.map((i) => i.variant))].sort());
    expect(res.body.variants.find((v: { uid: string }) => v.uid === "Workstation").arches).toEqual(["aarch64", "x86_64"]);
    const n = SIZE_HISTORY.packages(2).length;
    expect(res.body.rpmSets).toEqual(
      ["aarch64", "x86_64"].flatMap((arch) => [
        { variant: "Workstation", arch, category: "binary", rpms: n },
        { variant: "Workstation", arch, category: "source", rpms: n },
      ]),
    );
    expect(res.body.rpmEntries).toBe(4 * n);
  });

  it("a generated compose: RPM sets count what productmd lists", async () => {
    const res = await get(`/api/v1/composes/${a.composeinfo.compose.id}`);
    const groups = new Map<string, number>();
    for (const e of a.rpms!.entries) groups.set(`${e.variant}/${e.arch}/${e.category}`, (groups.get(`${e.variant}/${e.arch}/${e.category}`) ?? 0) + 1);
    expect(new Map(res.body.rpmSets.map((s: { variant: string; arch: string; category: string; rpms: number }) => [`${s.variant}/${s.arch}/${s.category}`, s.rpms]))).toEqual(groups);
    expect(res.body.rpmEntries).toBe(a.rpms!.count);
  });

  it("404 names an unknown compose", async () => {
    const res = await get("/api/v1/composes/Fedora-Rawhide-19990101.n.0");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: expect.stringContaining("Fedora-Rawhide-19990101.n.0"), details: { composeId: "Fedora-Rawhide-19990101.n.0" } });
  });
});

describe("GET /api/v1/diff", () => {
  it("answers what diffComposeIds answers, with the expected packages", async () => {
    const from = a.composeinfo.compose.id;
    const to = b.composeinfo.compose.id;
    const res = await get(`/api/v1/diff?from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(asJson(await diffComposeIds(t.db, from, to)));
    const names = (v: ProductmdView) => new Set(v.rpms!.entries.filter((e) => e.category === "source").map((e) => splitNevra(e.nevra).name));
    const before = names(a);
    expect(res.body.packages.added.map((p: { name: string }) => p.name)).toEqual([...names(b)].filter((n) => !before.has(n)).sort());
  });

  it("400 without `to`, 404 naming an unknown compose", async () => {
    const missing = await get(`/api/v1/diff?from=${a.composeinfo.compose.id}`);
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([{ parameter: "to", message: "required: a compose id" }]);
    const unknown = await get(`/api/v1/diff?from=${a.composeinfo.compose.id}&to=Nope-20000101.n.0`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toContain("Nope-20000101.n.0");
    expect(unknown.body.details).toEqual({ composeId: "Nope-20000101.n.0" });
  });
});

describe("GET /api/v1/arches", () => {
  it("within a compose, for some arches, and against a secondary compose", async () => {
    const id = a.composeinfo.compose.id;
    expect((await get(`/api/v1/arches?compose=${id}`)).body).toEqual(asJson(await compareComposeArches(t.db, id)));
    const some = await get(`/api/v1/arches?compose=${id}&arch=x86_64,ppc64le`);
    expect(some.body).toEqual(asJson(await compareComposeArches(t.db, id, undefined, ["x86_64", "ppc64le"])));
    expect(some.body.variants.find((v: { variant: string }) => v.variant === "Everything").absentArches).toEqual(["ppc64le"]);
    // the parameter may be repeated instead
    expect((await get(`/api/v1/arches?compose=${id}&arch=x86_64&arch=ppc64le`)).body).toEqual(some.body);
    const vs = await get(`/api/v1/arches?compose=${id}&vs=${secondary.composeinfo.compose.id}`);
    expect(vs.body).toEqual(asJson(await compareComposeArches(t.db, id, secondary.composeinfo.compose.id)));
    expect(vs.body.columns.map((c: { label: string }) => c.label)).toEqual(["aarch64", "s390x", "x86_64"]);
  });

  it("400 for a malformed arch or arch with vs; 404 for an unknown secondary", async () => {
    const id = a.composeinfo.compose.id;
    const bad = await get(`/api/v1/arches?compose=${id}&arch=x86_64,X86-64`);
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].parameter).toMatch(/^arch/);
    const both = await get(`/api/v1/arches?compose=${id}&vs=${id}&arch=x86_64`);
    expect(both.status).toBe(400);
    expect(both.body.error).toContain("cannot be combined with vs");
    const unknown = await get(`/api/v1/arches?compose=${id}&vs=Fedora-Rawhide-Secondary-19990101.n.0`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.details).toEqual({ composeId: "Fedora-Rawhide-Secondary-19990101.n.0" });
  });
});

describe("GET /api/v1/status", () => {
  it("every release, or one", async () => {
    expect((await get("/api/v1/status")).body).toEqual(asJson({ releases: await releaseStatus(t.db) }));
    const rawhide = await get("/api/v1/status?release=Fedora-Rawhide");
    expect(rawhide.body.releases).toHaveLength(1);
    // b finished incomplete and no variants are required: it is the last working nightly
    expect(rawhide.body.releases[0].lastWorkingNightly.composeId).toBe(b.composeinfo.compose.id);
  });

  it("404 names an unknown release", async () => {
    const res = await get("/api/v1/status?release=Fedora-7");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: "release Fedora-7 is not in composedb", details: { release: "Fedora-7" } });
  });
});

describe("GET /api/v1/sizes, sizes.csv, sizes/plot.svg, sizes/explain", () => {
  it("series with growers and shrinkers, as the CLI computes them", async () => {
    const res = await get("/api/v1/sizes?release=Fedora-43&from=20250302&to=20250305&limit=1");
    expect(res.status).toBe(200);
    const series = await sizeSeries(t.db, { release: "Fedora-43", from: "20250302", to: "20250305" });
    expect(res.body).toEqual(asJson({ series, ...growersAndShrinkers(sizeTrends(series, { from: "20250302", to: "20250305" }), 1) }));
    // from the table: 20250302 -> 20250305, Workstation x86_64 grew most, Server shrank most
    expect(res.body.growers.map((g: { identity: { variant: string; arch: string } }) => `${g.identity.variant}/${g.identity.arch}`)).toEqual(["Workstation/x86_64"]);
    expect(res.body.growers[0].delta).toBe(SIZE_HISTORY.images[0]!.sizes[5]! - SIZE_HISTORY.images[0]!.sizes[1]!);
    expect(res.body.shrinkers[0].identity.variant).toBe("Server");
  });

  it("sizes.csv is text/csv", async () => {
    const res = await get("/api/v1/sizes.csv?release=Fedora-43&variant=Workstation");
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/csv/);
    expect(res.text).toBe(seriesToCsv(await sizeSeries(t.db, { release: "Fedora-43", variant: "Workstation" })));
    expect(res.text.trimEnd().split("\n")).toHaveLength(1 + 2 * SIZE_HISTORY.composes.length);
  });

  it("plot.svg: one image's plot, one point per compose", async () => {
    const res = await get("/api/v1/sizes/plot.svg?release=Fedora-43&variant=Workstation&subvariant=Workstation&type=live&format=iso&arch=x86_64");
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^image\/svg\+xml/);
    let circles = 0;
    const parser = new SaxesParser();
    parser.on("opentag", (tag) => void (tag.name === "circle" && circles++));
    parser.write(res.text).close();
    expect(circles).toBe(SIZE_HISTORY.composes.length);
  });

  it("plot.svg: 400 naming the images when the filters match several, 404 when none", async () => {
    const several = await get("/api/v1/sizes/plot.svg?variant=Workstation&arch=x86_64");
    expect(several.status).toBe(400);
    const labels = several.body.details.map((d: { label: string }) => d.label);
    expect(labels).toEqual(expect.arrayContaining(["Fedora-43/Workstation/Workstation/live.iso/x86_64", "Fedora-Rawhide/Workstation/Workstation/live.iso/x86_64"]));
    for (const l of labels) expect(several.body.error).toContain(l);
    const none = await get("/api/v1/sizes/plot.svg?variant=Workstation&arch=riscv64");
    expect(none.status).toBe(404);
    expect(none.body.error).toBe("no image matches variant=Workstation, arch=riscv64");
  });

  it("explain: the package that entered", async () => {
    const [from, to] = [SIZE_HISTORY.composes[1]!.id, SIZE_HISTORY.composes[2]!.id];
    const res = await get(`/api/v1/sizes/explain?variant=Workstation&arch=x86_64&from=${from}&to=${to}`);
    expect(res.status).toBe(200);
    expect(res.body.contributors[0]).toMatchObject({ name: "libreoffice-core", change: "entered" });
    const unknown = await get(`/api/v1/sizes/explain?variant=Workstation&arch=x86_64&from=${from}&to=Fedora-43-20990101.n.0`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.details).toEqual({ composeId: "Fedora-43-20990101.n.0" });
    const missing = await get(`/api/v1/sizes/explain?variant=Workstation&from=${from}&to=${to}`);
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([{ parameter: "arch", message: "required: the image's arch" }]);
  });

  it("bad dates and windows are 400s", async () => {
    const res = await get("/api/v1/sizes?from=2025-03-02");
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ parameter: "from", message: "expected a compose date YYYYMMDD" }]);
    expect((await get("/api/v1/sizes.csv?from=20250305&to=20250301")).status).toBe(400);
  });
});

describe("read-only", () => {
  it("other methods are refused", async () => {
    for (const [method, url] of [["POST", "/api/v1/composes"], ["DELETE", `/api/v1/composes/${a.composeinfo.compose.id}`], ["PUT", "/api/v1/sizes"]] as const) {
      const res = await get(url, { method });
      expect(res.status, `${method} ${url}`).toBe(405);
      expect(res.body.error).toContain(method);
    }
  });
});
