// The dashboard's pages in headless Chromium against the API server over a pipeline environment
// whose composedb holds composes made with the real productmd library: the overview (also with
// JavaScript off), a diff picked from the compose list and opened again from its URL, an arch
// matrix, a size chart whose point, clicked, shows the attribution, and a pipeline in full.
// Screenshots go to .data/screenshots/.
import fs from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestCompose } from "../../src/composedb/ingest.js";
import { recordUpdatesPush } from "../../src/composedb/updates-push.js";
import { compareComposeArches, diffComposeIds } from "../../src/composedb/queries.js";
import { pipelineWorkflowId } from "../../src/domain/pipeline.js";
import { listPipelines, PipelineError } from "../../src/pipelines/service.js";
import { composePipeline, pipelineQuery } from "../../src/workflows/compose-pipeline.js";
import { startApiEnv, type ApiEnv } from "../support/api-env.js";
import { generateCompose, SIZE_HISTORY, writeSizeHistory } from "../support/composedb.js";
import { eventually, testPipelineInput } from "../support/pipeline-env.js";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.resolve(".data/screenshots");
const HOUR = 3600_000;

let env: ApiEnv;
let browser: Browser;
let tmp: string;
let ids: { a: string; b: string; secondary: string };
let pipelineId: string;

async function open(url: string, opts: { javaScript?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: opts.javaScript ?? true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (error) => console.error(`${url}: page error: ${error.message}`));
  const res = await page.goto(env.api.url + url);
  expect(res?.status(), url).toBe(200);
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, name), fullPage: true });

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: ./run test installs the Debian package chromium`);
  fs.mkdirSync(SHOTS, { recursive: true });
  env = await startApiEnv({ "releng-carol": ["signoff"] });
  const db = env.p.database.db;
  // A pipeline that will wait for its sign-off, started first: it builds while composedb fills.
  const composeId = "Fedora-Rawhide-20261207.n.0";
  pipelineId = pipelineWorkflowId("Fedora-Rawhide", composeId);
  const handle = await env.p.env.client.workflow.start(composePipeline, {
    taskQueue: env.p.taskQueue,
    workflowId: pipelineId,
    args: [testPipelineInput(composeId, { artifacts: ["Server-boot"] })],
  });

  tmp = await mkdtemp(path.join(tmpdir(), "dashboard-"));
  for (const dir of await writeSizeHistory(path.join(tmp, "sizes"))) await ingestCompose(db, dir);
  const [dirA, dirB, dirS] = ["a", "b", "s"].map((d) => path.join(tmp, d)) as [string, string, string];
  const a = await generateCompose(dirA, "--sources", "40", "--seed", "71", "--date", "20250110", "--variants", "Everything,Workstation,Server", "--arches", "x86_64,aarch64");
  const b = await generateCompose(dirB, "--previous", dirA, "--upgrade", "3", "--add", "2", "--remove", "2", "--resize-images", "2", "--seed", "72");
  const s = await generateCompose(dirS, "--sources", "40", "--seed", "73", "--date", "20250110", "--variants", "Everything", "--arches", "s390x", "--compose-id", "Fedora-Rawhide-Secondary-20250110.n.0");
  for (const dir of [dirA, dirB, dirS]) await ingestCompose(db, dir);
  ids = { a: a.composeId, b: b.composeId, secondary: s.composeId };

  // Fedora-43: the last compose was doomed, so the last working nightly is the one before; pushes
  // and a publication whose Cloud image was kept.
  const last = SIZE_HISTORY.composes.at(-1)!.id;
  await db.compose.update({ where: { composeId: last }, data: { status: "DOOMED" } });
  await db.release.update({ where: { name: "Fedora-43" }, data: { requiredVariants: ["Workstation"] } });
  const now = Date.now();
  for (const [request, hoursAgo, key] of [["stable", 9 * 24, "a"], ["stable", 50, "b"], ["testing", 5, "c"]] as const) {
    await recordUpdatesPush(db, { release: "Fedora-43", request, pushKey: `Fedora-43-updates-${key}`, pushedAt: new Date(now - hoursAgo * HOUR), update: `FEDORA-2025-${key}`, builds: ["bash-5.2.37-2.fc43"], agent: "bodhi" });
  }
  const published = SIZE_HISTORY.composes[4]!.id;
  await db.publication.createMany({
    data: [
      { release: "Fedora-43", pipelineId: `pipeline/Fedora-43/${published}`, composeId: published, artifact: "Workstation-Live", path: "Workstation/x86_64/iso/ws.iso", sha256: "0".repeat(64), size: 2300n * 1048576n, builtIn: published },
      { release: "Fedora-43", pipelineId: `pipeline/Fedora-43/${published}`, composeId: published, artifact: "Cloud-Base", path: "Cloud/x86_64/images/c.qcow2", sha256: "1".repeat(64), size: 500n * 1048576n, builtIn: SIZE_HISTORY.composes[1]!.id, kept: true, keptReason: "build failed in this pipeline: <kiwi> exited 1" },
    ],
  });

  await eventually(async () => ((await handle.query(pipelineQuery)).stage === "awaiting-signoff" ? true : undefined), "awaiting-signoff", 120_000);
  // A sign-off attempt without a token: refused, and on the audit trail.
  const refused = await fetch(`${env.api.url}/api/v1/pipelines/${pipelineId}/signoff`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ decision: "approve", comment: "no token" }) });
  expect(refused.status).toBe(401);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe("overview", () => {
  const check = async (page: Page) => {
    const f43 = page.locator('section.release[data-release="Fedora-43"]');
    expect(await f43.locator(".last-working").textContent()).toContain(SIZE_HISTORY.composes[4]!.id);
    expect(await f43.locator(".last-compose").textContent()).toContain(SIZE_HISTORY.composes[5]!.id);
    expect(await f43.locator(".why-not-working").textContent()).toContain("status DOOMED");
    expect(await f43.locator(".last-push-testing").textContent()).toMatch(/\(5 h( \d+ min)? ago\) — 1 updates, 1 builds/);
    expect(await f43.locator(".last-push-stable").textContent()).toMatch(/\(2 d 2 h ago\)/);
    expect(await f43.locator(".timeline .tick").count()).toBe(3);
    expect(await f43.locator(".timeline .tick.testing").count()).toBe(1);
    const mirror = await f43.locator(".mirror").textContent();
    expect(mirror).toContain("build failed in this pipeline: <kiwi> exited 1");
    expect(mirror).toMatch(/Cloud-Base.*kept/);

    const rawhide = page.locator('section.release[data-release="Fedora-Rawhide"]');
    const waiting = rawhide.locator("table.signoffs-waiting tbody tr");
    expect(await waiting.count()).toBe(1);
    const row = await waiting.textContent();
    expect(row).toContain(pipelineId);
    // waited seconds so far; expires 7200 s after it began waiting (testPipelineInput)
    expect(row).toMatch(/\d+ (s|min)(\d| |s|min)*.*\(in 1 h 5\d min\)|\(in 2 h\)/s);
  };

  it("per release: last working nightly, why the last compose is not, pushes on a timeline, the mirror, sign-offs waiting", async () => {
    const page = await open("/overview");
    await check(page);
    await shot(page, "overview.png");
    await page.context().close();
  });

  it("reads the same with JavaScript off (server-rendered)", async () => {
    const page = await open("/overview", { javaScript: false });
    await check(page);
    await page.context().close();
  });
});

describe("composes", () => {
  it("the list filters by release and status; a compose shows variants × arches and its images with sizes and checksums", async () => {
    const list = await open("/composes?release=Fedora-43&status=DOOMED");
    expect(await list.locator("table.composes tbody tr").allTextContents()).toEqual([expect.stringContaining(SIZE_HISTORY.composes[5]!.id)]);
    expect(await list.locator('select[name="status"] option[selected]').textContent()).toBe("DOOMED");
    await list.context().close();

    const id = SIZE_HISTORY.composes[2]!.id;
    const page = await open(`/composes/${id}`);
    const n = SIZE_HISTORY.packages(2).length;
    const workstation = page.locator("table.variant-arch tbody tr").filter({ hasText: "Workstation" });
    expect(await workstation.locator("td").allTextContents()).toEqual([`${n} binary · ${n} source1 images`, `${n} binary · ${n} source1 images`]);
    // Server has images on x86_64 only and no RPMs
    expect(await page.locator("table.variant-arch thead th").allTextContents()).toEqual(["Variant", "aarch64", "x86_64"]);
    const images = page.locator("table.images tbody tr");
    expect(await images.count()).toBe(SIZE_HISTORY.images.length);
    const ws = images.filter({ hasText: "Workstation" }).filter({ hasText: "x86_64" });
    expect(await ws.locator("td.num").textContent()).toBe("2.2 GiB");
    expect(await ws.locator("td.num").getAttribute("title")).toBe(`${SIZE_HISTORY.images[0]!.sizes[2]} bytes`);
    expect(await ws.locator("td").last().textContent()).toMatch(/sha256:[0-9a-f]{64}/);
    await shot(page, "compose.png");
    await page.context().close();
  });
});

describe("diff", () => {
  it("two composes picked on the compose list; the URL opens the same diff", async () => {
    const page = await open("/composes?release=Fedora-Rawhide");
    await page.check(`input[name="from"][value="${ids.a}"]`);
    await page.check(`input[name="to"][value="${ids.b}"]`);
    await Promise.all([page.waitForURL(/\/diff\?/), page.click('button:has-text("Diff")')]);
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ from: ids.a, to: ids.b });
    const expected = await diffComposeIds(env.p.database.db, ids.a, ids.b);
    expect(expected.packages.upgraded.length).toBe(3);
    const upgraded = page.locator("table.packages.upgraded").first();
    expect(await upgraded.locator("tbody tr").count()).toBe(3);
    for (const u of expected.packages.upgraded) expect(await upgraded.textContent()).toContain(`${u.name}${u.from}→${u.to}`);
    expect(await page.locator("table.packages.added").first().locator("tbody tr").count()).toBe(expected.packages.added.length);
    expect(await page.locator("table.images-diff tbody tr").count()).toBe(expected.images.changed.length + expected.images.added.length + expected.images.removed.length);
    expect(await page.locator("details.variant-arch-diff").count()).toBe(expected.byVariantArch.length);
    await shot(page, "diff.png");

    const shared = await open(url.pathname + url.search);
    expect(await shared.locator("h1").textContent()).toBe(`Diff ${ids.a} → ${ids.b}`);
    await shared.context().close();
    await page.context().close();
  });

  it("an unknown compose is a 404 page naming it", async () => {
    const res = await fetch(`${env.api.url}/diff?from=${ids.a}&to=Fedora-Rawhide-19990101.n.0`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Fedora-Rawhide-19990101.n.0");
  });
});

describe("arches", () => {
  it("a variant × arch matrix of the primary and the secondary compose, each cell naming what is missing", async () => {
    const page = await open(`/arches?compose=${ids.a}&vs=${ids.secondary}`);
    const cmp = await compareComposeArches(env.p.database.db, ids.a, ids.secondary);
    expect(await page.locator("table.arch-matrix thead th").allTextContents()).toEqual(["Variant", ...cmp.columns.map((c) => c.label)]);
    const everything = cmp.variants.find((v) => v.variant === "Everything")!;
    const cell = page.locator('table.arch-matrix tr[data-variant="Everything"] td[data-arch="s390x"]');
    const missingSources = everything.sourcePackages.filter((p) => p.missingOn.includes("s390x")).length;
    expect(missingSources).toBeGreaterThan(0);
    expect(await cell.textContent()).toContain(`missing ${missingSources} source pkgs`);
    // Workstation has no s390x in either compose: not compared there
    expect(await page.locator('table.arch-matrix tr[data-variant="Workstation"] td[data-arch="s390x"]').textContent()).toBe("—");
    await cell.locator("a").click();
    expect(page.url()).toMatch(/#variant-Everything$/);
    await shot(page, "arches.png");
    await page.context().close();
  });
});

describe("sizes", () => {
  it("a uPlot chart per image; a click on the jump shows which packages entered", async () => {
    const page = await open("/sizes?release=Fedora-43&variant=Workstation&arch=x86_64");
    const body = page.locator('.chart[data-series="Fedora-43/Workstation/Workstation/live.iso/x86_64"] .chart-body');
    await body.locator("canvas").waitFor();
    await page.locator('.chart-body[data-drawn="true"]').waitFor();
    // the point of the third compose, where libreoffice-core entered
    const point = await body.evaluate((el) => {
      const u = (el as unknown as { uplot: { data: number[][]; valToPos(v: number, s: string): number; over: { getBoundingClientRect(): { left: number; top: number } } } }).uplot;
      const rect = u.over.getBoundingClientRect();
      return { x: rect.left + u.valToPos(u.data[0]![2]!, "x"), y: rect.top + u.valToPos(u.data[1]![2]!, "y"), points: u.data[0]!.length };
    });
    expect(point.points).toBe(SIZE_HISTORY.composes.length);
    await page.mouse.move(point.x, point.y);
    await page.mouse.click(point.x, point.y);
    const panel = page.locator(".attribution-panel");
    await panel.locator("table.attribution").waitFor();
    expect(await panel.locator("h3").textContent()).toBe(`Fedora-43/Workstation/Workstation/live.iso/x86_64: ${SIZE_HISTORY.composes[1]!.id} → ${SIZE_HISTORY.composes[2]!.id} (+150.0 MiB)`);
    expect(await panel.locator("table.attribution tbody tr").first().textContent()).toMatch(/^libreoffice-core\.x86_64entered/);
    expect(await page.locator("table.growers tbody tr").count()).toBe(1);
    await shot(page, "sizes.png");
    await page.context().close();
  });
});

describe("pipeline", () => {
  it("plan, builds with Koji links, checks, gate, the audit trail and the Temporal Web UI link", async () => {
    const page = await open(`/pipelines/${pipelineId}`);
    expect(await page.locator("table.plan").textContent()).toMatch(/Server-boot\s*rebuild/);
    const koji = page.locator("table.builds a.koji-task");
    expect(await koji.count()).toBeGreaterThan(0);
    expect(await koji.first().getAttribute("href")).toMatch(/\/koji\/taskinfo\?taskID=\d+$/);
    expect(await page.locator("table.checks tbody tr").count()).toBeGreaterThan(0);
    expect(await page.locator("table.gate").textContent()).toMatch(/Server-boot\s*publish/);
    expect(await page.locator(".signoff-waiting").textContent()).toMatch(/Waiting for a sign-off for .* expires .*\(in /);
    expect(await page.locator("table.audit tbody").textContent()).toMatch(/\(unauthenticated\).*refused/s);
    const ui = await page.locator("a.temporal-ui").getAttribute("href");
    expect(ui).toMatch(new RegExp(`/namespaces/default/workflows/${encodeURIComponent(pipelineId)}/[0-9a-f-]{36}/history$`));
    await shot(page, "pipeline.png");
    await page.context().close();
  });

  it("the sign-off page links each pipeline to its full page", async () => {
    const page = await open("/");
    await page.locator(`tr.pipeline[data-id="${pipelineId}"]`).click();
    await Promise.all([page.waitForURL(/\/pipelines\/pipeline\//), page.click("a.full-detail")]);
    expect(await page.locator("h1").textContent()).toContain("Fedora-Rawhide-20261207.n.0");
    await page.context().close();
  });
});

describe("input validation over HTTP", () => {
  const get = async (url: string) => {
    const started = Date.now();
    const res = await fetch(env.api.url + url);
    const text = await res.text();
    return { status: res.status, ms: Date.now() - started, text, body: res.headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : undefined };
  };

  it("a backslash in release, a NUL in stage: 400 naming the parameter, at once", async () => {
    const slash = await get("/api/v1/pipelines?release=x%5C");
    expect(slash.status).toBe(400);
    expect(slash.body.details).toEqual([{ parameter: "release", message: expect.any(String) }]);
    const nul = await get("/api/v1/pipelines?stage=awaiting-signoff%00");
    expect(nul.status).toBe(400);
    expect(nul.body.details[0].parameter).toBe("stage");
    expect(nul.ms).toBeLessThan(5000);
    expect((await get("/api/v1/pipelines?release=Fedora-Rawhide&stage=awaiting-signoff")).body.pipelines.map((p: { workflowId: string }) => p.workflowId)).toEqual([pipelineId]);
  });

  it("a NUL in composedb parameters: 400 naming it (it was 500)", async () => {
    for (const [url, parameter] of [["/api/v1/sizes?variant=Work%00station", "variant"], ["/api/v1/composes?release=F%00", "release"], ["/api/v1/status?release=%00", "release"], ["/api/v1/sizes.csv?format=%00", "format"]] as const) {
      const res = await get(url);
      expect(res.status, url).toBe(400);
      expect(res.body.details, url).toEqual([{ parameter, message: "control characters are not allowed" }]);
    }
  });

  it("pages answer 400 as HTML naming the parameter, with the value escaped", async () => {
    const res = await get("/sizes?variant=%3Cscript%3E%00");
    expect(res.status).toBe(400);
    expect(res.text).toContain("<code>variant</code>: control characters are not allowed");
    expect(res.text).not.toContain("<script>");
    const compose = await get("/composes/%3Cb%3Ex");
    expect(compose.status).toBe(400);
    expect(compose.text).toContain("invalid compose id &quot;&lt;b&gt;x&quot;");
  });

  it("listPipelines against the real Temporal: a quote is escaped, a backslash refused", async () => {
    expect(await listPipelines(env.p.env.client, { release: "o'brien' OR WorkflowType = 'composePipeline" })).toEqual([]);
    await expect(listPipelines(env.p.env.client, { release: "x\\" })).rejects.toThrow(PipelineError);
  });
});
