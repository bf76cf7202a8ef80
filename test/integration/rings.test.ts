// Rings through composedb: `relengotron rings load` records every change (who, when, what moved)
// and loading the same file again records nothing; `rings show` and /api/v1/rings… answer a
// package's ring and an artifact's (the strictest of the source packages its last build
// recorded); and the artifact's ring picks its policies: a ring-0 artifact missing a required
// result is blocked while a ring-2 artifact with the same results passes.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Router } from "../../src/api/http.js";
import { ringRoutes } from "../../src/api/rings.js";
import { ResultsDbApi } from "../../src/clients/resultsdb.js";
import { artifactRing } from "../../src/composedb/rings.js";
import { mergeSubjectTypes, parsePolicyFile } from "../../src/domain/greenwave/policies.js";
import { makeDecision } from "../../src/gating/decide.js";
import { SandboxResultsDb } from "../../src/sandbox/resultsdb.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";

const CONFIG = path.join(import.meta.dirname, "../../config/rings/fedora-rawhide.yaml");
let t: TestDatabase;
let tmp: string;
let api: http.Server;
let apiUrl: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function relengotron(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { env: { ...process.env, DATABASE_URL: t.url } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
const get = async (p: string) => {
  const res = await fetch(`${apiUrl}${p}`);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  t = await createTestDatabase();
  tmp = await mkdtemp(path.join(tmpdir(), "rings-"));
  const router = new Router();
  ringRoutes(router, { db: t.db });
  api = http.createServer((req, res) => void router.handle(req, res));
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", () => resolve()));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;

  // two artifacts' last builds, as the pipeline records them: binary NEVRAs Koji listed
  const snapshot = await t.db.inputSnapshot.create({
    data: {
      release: "Fedora-Rawhide",
      tag: "f46",
      kojiEvent: 1,
      digest: "d",
      builds: [{ buildId: 7, nvr: "glibc-2.42.9000-11.fc46", name: "glibc", epoch: 0, version: "2.42.9000", release: "11.fc46" }],
      rpms: [{ id: 70, nevra: "glibc-common-0:2.42.9000-11.fc46.x86_64", name: "glibc-common", arch: "x86_64", buildId: 7, size: 1 }],
    },
  });
  const build = (artifact: string, components: string[]) =>
    t.db.artifactBuild.create({ data: { pipelineId: `pipeline/Fedora-Rawhide/${artifact}`, composeId: "Fedora-Rawhide-20261203.n.0", release: "Fedora-Rawhide", artifact, snapshotId: snapshot.id, inputs: {}, state: "SUCCEEDED", components, finishedAt: new Date() } });
  await build("Workstation-Live", ["glibc-common-0:2.42.9000-11.fc46.x86_64", "gnome-shell-0:49.1-1.fc46.x86_64", "xfwm4-0:4.20.0-3.fc46.x86_64"]);
  await build("Foo-Container", ["foo-cli-0:0.9.4-2.fc46.x86_64", "python3-requests-0:2.32.3-1.fc46.noarch"]);
  // composedb knows python3-requests' source RPM from an ingested compose
  const srpm = await t.db.rpm.create({ data: { nevra: "python-requests-0:2.32.3-1.fc46.src", name: "python-requests", epoch: 0, version: "2.32.3", release: "1.fc46", arch: "src" } });
  await t.db.rpm.create({ data: { nevra: "python3-requests-0:2.32.3-1.fc46.noarch", name: "python3-requests", epoch: 0, version: "2.32.3", release: "1.fc46", arch: "noarch", srpmId: srpm.id } });
});
afterAll(async () => {
  api?.closeAllConnections();
  await new Promise((r) => api?.close(r));
  await t?.drop();
  await rm(tmp, { recursive: true, force: true });
});

describe("rings in composedb", () => {
  it("load records every change with who and from where; the same file again changes nothing", async () => {
    const first = await relengotron("--json", "rings", "load", "--actor", "alice");
    expect(first.code, first.stderr).toBe(0);
    const [loaded] = JSON.parse(first.stdout) as { release: string; source: string; changes: { action: string }[] }[];
    expect(loaded!.release).toBe("Fedora-Rawhide");
    expect(loaded!.source).toMatch(/^config\/rings\/fedora-rawhide\.yaml/);
    expect(loaded!.changes.filter((c) => c.action === "group-added")).toHaveLength(3);
    const again = await relengotron("rings", "load", "--actor", "alice");
    expect(again.stdout.trim()).toBe("Fedora-Rawhide: unchanged");

    // bob moves firefox into ring-1 and gtk3 out of it
    const text = (await readFile(CONFIG, "utf8")).replace("gnome-terminal, gtk3, gtk4", "gnome-terminal, gtk4, firefox");
    const edited = path.join(tmp, "fedora-rawhide.yaml");
    await writeFile(edited, text);
    const second = await relengotron("rings", "load", "--actor", "bob", edited);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe(`Fedora-Rawhide: 2 changes from ${edited}\n  firefox: into ring-1\n  gtk3: out of ring-1 (now the default ring)\n`);

    const history = await get("/api/v1/rings/history?package=firefox");
    expect(history.json.changes).toEqual([expect.objectContaining({ actor: "bob", action: "package-added", group: "ring-1", package: "firefox", source: edited, release: "Fedora-Rawhide" })]);
    const shown = await relengotron("rings", "show", "--history", "--package", "gtk3");
    expect(shown.stdout).toMatch(/ bob Fedora-Rawhide package-removed ring-1 gtk3 \[/);
    expect(shown.stdout).toMatch(/ alice Fedora-Rawhide package-added ring-1 gtk3 \[config\/rings\/fedora-rawhide\.yaml/);
  });

  it("a package's ring, over HTTP and from the CLI", async () => {
    expect(await get("/api/v1/rings/packages/firefox?release=Fedora-Rawhide")).toEqual({ status: 200, json: { release: "Fedora-Rawhide", package: "firefox", ring: "ring-1", order: 1, byDefault: false } });
    expect((await get("/api/v1/rings/packages/xfwm4?release=Fedora-Rawhide")).json).toMatchObject({ ring: "ring-2", byDefault: true });
    expect((await relengotron("rings", "show", "--package", "glibc")).stdout.trim()).toBe("glibc (Fedora-Rawhide): ring-0 (order 0)");
    expect((await get("/api/v1/rings/packages/glibc?release=Fedora-41")).status).toBe(404);
    expect((await get("/api/v1/rings/packages/glibc")).status).toBe(400);
    const all = await get("/api/v1/rings");
    expect((all.json.releases as { release: string; rings: { name: string }[] }[]).map((r) => [r.release, r.rings.map((x) => x.name)])).toEqual([["Fedora-Rawhide", ["ring-0", "ring-1", "ring-2"]]]);
  });

  it("an artifact inherits the strictest ring of its packages (binary RPMs mapped to their source package)", async () => {
    const ws = await get("/api/v1/rings/artifacts/Workstation-Live?release=Fedora-Rawhide");
    expect(ws.json).toMatchObject({ artifact: "Workstation-Live", ring: "ring-0", order: 0, because: ["glibc"], counts: { "ring-0": 1, "ring-1": 1, "ring-2": 1 }, packages: 3 });
    const foo = await get("/api/v1/rings/artifacts/Foo-Container?release=Fedora-Rawhide");
    expect(foo.json).toMatchObject({ ring: "ring-2", because: ["foo-cli", "python-requests"] });
    expect((await get("/api/v1/rings/artifacts/Nope?release=Fedora-Rawhide")).status).toBe(404);
    const cli = await relengotron("rings", "show", "--artifact", "Workstation-Live");
    expect(cli.stdout).toContain("Workstation-Live (Fedora-Rawhide): ring-0 (order 0), the strictest ring of its 3 source packages\n  because of: glibc");
  });

  it("the artifact's ring picks its policies: ring 0 blocked for a missing result, ring 2 passes with the same results", async () => {
    const resultsdb = new SandboxResultsDb();
    const server = http.createServer((req, res) => void resultsdb.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    try {
      const root = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2.0`;
      const { policies, subjectTypes } = parsePolicyFile(
        "rings.yaml",
        [
          "--- !Policy\nid: core\nproduct_versions: [fedora-rawhide]\ndecision_context: relengotron_artifact_publish\nsubject_type: koji_build\nrings: [ring-0, ring-1]",
          "rules:\n  - !PassingTestCaseRule {test_case_name: compose.install_default}\n  - !PassingTestCaseRule {test_case_name: relengotron.installability}",
          "--- !Policy\nid: rest\nproduct_versions: [fedora-rawhide]\ndecision_context: relengotron_artifact_publish\nsubject_type: koji_build\nrings: [ring-2]",
          "rules:\n  - !PassingTestCaseRule {test_case_name: relengotron.installability}\n",
        ].join("\n"),
      );
      const sources = { policies, subjectTypes: mergeSubjectTypes(subjectTypes), resultsdb: new ResultsDbApi(root) };
      const decideFor = async (artifact: string, nvr: string) => {
        resultsdb.submit({ testcase: "relengotron.installability", outcome: "PASSED", data: { item: nvr, type: "koji_build" } });
        const { ring } = await artifactRing(t.db, "Fedora-Rawhide", artifact);
        return makeDecision({ decision_context: "relengotron_artifact_publish", product_version: "fedora-rawhide", subject_type: "koji_build", subject_identifier: nvr, ring }, sources);
      };
      const ws = await decideFor("Workstation-Live", "Fedora-Workstation-Live-Rawhide-20261203.n.0");
      expect(ws).toMatchObject({ policies_satisfied: false, applicable_policies: ["core"], summary: "Of 2 required tests, 1 result missing" });
      const foo = await decideFor("Foo-Container", "Fedora-Foo-Container-Rawhide-20261203.n.0");
      expect(foo).toMatchObject({ policies_satisfied: true, applicable_policies: ["rest"] });
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
