// Publication to the mirror, run directly (the real activity, a real database, files on disk):
// `latest` is always the whole release, files already on the mirror are hard-linked, a file whose
// checksum is wrong stops everything before anything is visible, and a crash between renaming a
// publication into place and switching `latest` is repaired by the retry.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ApplicationFailure } from "@temporalio/common";
import { MockActivityEnvironment } from "@temporalio/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublishActivities, type PublishFile, type PublishInput } from "../../src/activities/publish.js";
import { projectRoot } from "../../src/config.js";
import { MANIFEST_FILE, parseMirrorManifest } from "../../src/domain/mirror-manifest.js";
import { ReleaseCatalog } from "../../src/releases/catalog.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";

const RELEASE = "Fedora-Rawhide";
const RELEASE_ORDER = ["Workstation-Live", "Xfce-Live", "Server-boot", "Cloud-Base-Generic", "Container-Base"];

describe("publishArtifacts", () => {
  let t: TestDatabase;
  let root: string;
  let acts: ReturnType<typeof createPublishActivities>;
  const mirrorDir = () => path.join(root, "mirror");
  const releaseDir = () => path.join(mirrorDir(), RELEASE);
  const publish = (input: PublishInput) => new MockActivityEnvironment().run(acts.publishArtifacts, input) as ReturnType<typeof acts.publishArtifacts>;
  const latest = () => {
    const dir = fs.realpathSync(path.join(releaseDir(), "latest"));
    return { dir, manifest: parseMirrorManifest(fs.readFileSync(path.join(dir, MANIFEST_FILE), "utf8"), dir) };
  };

  /** A compose/ directory with one file per artifact, each with the given content. */
  function compose(composeId: string, content: Record<string, string>): { location: string; files: PublishFile[] } {
    const location = path.join(root, "composes", composeId, "compose");
    const files = Object.entries(content).map(([artifact, text]) => {
      const rel = `${artifact}/x86_64/images/Fedora-${artifact}-${composeId}.img`;
      fs.mkdirSync(path.dirname(path.join(location, rel)), { recursive: true });
      fs.writeFileSync(path.join(location, rel), text);
      return { artifact, path: rel, sha256: createHash("sha256").update(text).digest("hex"), size: Buffer.byteLength(text) };
    });
    fs.mkdirSync(path.join(location, "metadata"), { recursive: true });
    fs.writeFileSync(path.join(location, "metadata", "images.json"), "{}\n");
    return { location, files };
  }
  const input = (composeId: string, c: ReturnType<typeof compose>, extra: Partial<PublishInput> = {}): PublishInput => ({
    pipelineId: `pipeline/${RELEASE}/${composeId}`,
    release: RELEASE,
    composeId,
    composeLocation: c.location,
    files: c.files,
    ...extra,
  });

  beforeAll(async () => {
    t = await createTestDatabase();
    root = fs.mkdtempSync(path.join(os.tmpdir(), "rt-publish-"));
    acts = createPublishActivities({ db: t.db, mirrorDir: mirrorDir(), releases: ReleaseCatalog.load(path.join(projectRoot, "config", "artifacts")) });
  });
  afterAll(async () => {
    await t?.drop();
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it("publishes a first whole set, then one changed image: the others keep their bytes as hard links", async () => {
    const a = compose("Fedora-Rawhide-20261210.n.0", Object.fromEntries(RELEASE_ORDER.map((name) => [name, `${name} v1`])));
    const first = await publish(input("Fedora-Rawhide-20261210.n.0", a));
    expect(first).toMatchObject({ files: 5, alreadyPublished: false, linked: 0 });
    expect(latest().manifest.composeId).toBe("Fedora-Rawhide-20261210.n.0");

    // The next compose: Xfce rebuilt, everything else reused (the same files, by checksum).
    const b = compose("Fedora-Rawhide-20261210.n.1", { "Xfce-Live": "Xfce-Live v2" });
    const reused = a.files.filter((f) => f.artifact !== "Xfce-Live");
    for (const f of reused) {
      fs.mkdirSync(path.dirname(path.join(b.location, f.path)), { recursive: true });
      fs.copyFileSync(path.join(a.location, f.path), path.join(b.location, f.path));
    }
    const second = await publish(
      input("Fedora-Rawhide-20261210.n.1", { location: b.location, files: [...b.files, ...reused] }, {
        builds: [{ artifact: "Xfce-Live", builtIn: "Fedora-Rawhide-20261210.n.1" }, ...reused.map((f) => ({ artifact: f.artifact, builtIn: "Fedora-Rawhide-20261210.n.0" }))],
      }),
    );
    expect(second).toMatchObject({ files: 5, linked: 4 });
    const { dir, manifest } = latest();
    expect(manifest.artifacts.map((x) => [x.artifact, x.builtIn, x.kept])).toEqual(
      RELEASE_ORDER.map((name) => [name, name === "Xfce-Live" ? "Fedora-Rawhide-20261210.n.1" : "Fedora-Rawhide-20261210.n.0", false]),
    );
    for (const f of reused) expect(fs.statSync(path.join(dir, f.path)).ino).toBe(fs.statSync(path.join(releaseDir(), "Fedora-Rawhide-20261210.n.0", f.path)).ino);
    expect(fs.readFileSync(path.join(dir, b.files[0]!.path), "utf8")).toBe("Xfce-Live v2");
    const rows = await t.db.publication.findMany({ where: { pipelineId: `pipeline/${RELEASE}/Fedora-Rawhide-20261210.n.1` } });
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.release === RELEASE && !r.kept)).toBe(true);

    // Running it again (a retried activity) changes nothing.
    expect(await publish(input("Fedora-Rawhide-20261210.n.1", { location: b.location, files: [...b.files, ...reused] }))).toMatchObject({ alreadyPublished: true, files: 5 });
  });

  it("a staged file whose sha256 differs from the built one: a non-retryable failure, nothing published, latest unchanged", async () => {
    const before = latest();
    const c = compose("Fedora-Rawhide-20261211.n.0", { "Workstation-Live": "Workstation v3" });
    const lying = c.files.map((f) => ({ ...f, sha256: "0".repeat(64) }));
    const failure = await publish(input("Fedora-Rawhide-20261211.n.0", { location: c.location, files: lying })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as Error).message).toMatch(/Workstation-Live\/x86_64\/images\/.*: sha256 [0-9a-f]{64} differs from the built 0{64}; nothing was published/);
    expect(fs.existsSync(path.join(releaseDir(), "Fedora-Rawhide-20261211.n.0"))).toBe(false);
    expect(fs.readdirSync(releaseDir()).filter((n) => n.startsWith("."))).toEqual([]);
    expect(latest()).toEqual(before);
    expect(await t.db.publication.count({ where: { composeId: "Fedora-Rawhide-20261211.n.0" } })).toBe(0);
  });

  it("an artifact this pipeline withholds keeps its published files, and says why", async () => {
    const c = compose("Fedora-Rawhide-20261212.n.0", { "Server-boot": "Server-boot v2" });
    const result = await publish(
      input("Fedora-Rawhide-20261212.n.0", c, { withheld: [{ artifact: "Workstation-Live", reason: "gated out: size-budget (test-result-failed)" }] }),
    );
    const ws = result.artifacts.find((a) => a.artifact === "Workstation-Live")!;
    // Built in the first compose, last approved (reused) in the second.
    expect(ws).toEqual({ artifact: "Workstation-Live", builtIn: "Fedora-Rawhide-20261210.n.0", approvedIn: "Fedora-Rawhide-20261210.n.1", kept: true, reason: "gated out: size-budget (test-result-failed)" });
    // Not named as withheld, an artifact this pipeline did not touch is kept all the same.
    expect(result.artifacts.find((a) => a.artifact === "Cloud-Base-Generic")).toMatchObject({ kept: true, reason: "not published by this pipeline" });
    expect(result.artifacts.map((a) => a.artifact)).toEqual(RELEASE_ORDER);
    const rows = await t.db.publication.findMany({ where: { composeId: "Fedora-Rawhide-20261212.n.0", artifact: "Workstation-Live" } });
    expect(rows.map((r) => [r.kept, r.keptReason, r.builtIn])).toEqual([[true, "gated out: size-budget (test-result-failed)", "Fedora-Rawhide-20261210.n.0"]]);
  });

  it("two pipelines approved out of order: an older build never replaces a newer one in latest", async () => {
    const newer = compose("Fedora-Rawhide-20261213.n.1", { "Cloud-Base-Generic": "Cloud v3" });
    await publish(input("Fedora-Rawhide-20261213.n.1", newer));
    // Started earlier, approved later: its Cloud build is older than what is out.
    const older = compose("Fedora-Rawhide-20261213.n.0", { "Cloud-Base-Generic": "Cloud v2", "Container-Base": "Container v2" });
    const result = await publish(input("Fedora-Rawhide-20261213.n.0", older));
    expect(result.artifacts.find((a) => a.artifact === "Cloud-Base-Generic")).toMatchObject({
      builtIn: "Fedora-Rawhide-20261213.n.1",
      kept: true,
      reason: "a newer build (built in Fedora-Rawhide-20261213.n.1) is already published",
    });
    expect(result.artifacts.find((a) => a.artifact === "Container-Base")).toMatchObject({ builtIn: "Fedora-Rawhide-20261213.n.0", kept: false });
    expect(fs.readFileSync(path.join(latest().dir, newer.files[0]!.path), "utf8")).toBe("Cloud v3");
  });

  it("a crash after the rename, before the switch: the retry merges with today's latest and switches", async () => {
    const c = compose("Fedora-Rawhide-20261214.n.0", { "Xfce-Live": "Xfce v4" });
    // What a crashed attempt leaves: the publication in place, `latest` still on the previous one.
    const previous = latest().manifest.composeId;
    await publish(input("Fedora-Rawhide-20261214.n.0", c));
    fs.symlinkSync(previous, path.join(releaseDir(), ".latest-rollback"));
    fs.renameSync(path.join(releaseDir(), ".latest-rollback"), path.join(releaseDir(), "latest"));
    expect(latest().manifest.composeId).toBe(previous);

    const retried = await publish(input("Fedora-Rawhide-20261214.n.0", c));
    expect(retried.alreadyPublished).toBe(false);
    const { manifest } = latest();
    expect(manifest.composeId).toBe("Fedora-Rawhide-20261214.n.0");
    expect(manifest.previous).toBe(previous);
    expect(manifest.artifacts.map((a) => a.artifact)).toEqual(RELEASE_ORDER);
    expect(fs.readdirSync(releaseDir()).filter((n) => n.startsWith("."))).toEqual([]);
  });

  it("a damaged PUBLISHED.json in latest stops publication with the file and field named, nothing changed", async () => {
    const { dir } = latest();
    const manifestFile = path.join(dir, MANIFEST_FILE);
    const good = fs.readFileSync(manifestFile, "utf8");
    fs.writeFileSync(manifestFile, good.replace(/"sha256": "[0-9a-f]{64}"/, '"sha256": "damaged"'));
    try {
      const c = compose("Fedora-Rawhide-20261215.n.0", { "Xfce-Live": "Xfce v5" });
      const failure = (await publish(input("Fedora-Rawhide-20261215.n.0", c)).catch((e: unknown) => e)) as ApplicationFailure;
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toMatch(/latest\/PUBLISHED\.json: files\.0\.sha256: .*; nothing was published$/);
      expect(fs.existsSync(path.join(releaseDir(), "Fedora-Rawhide-20261215.n.0"))).toBe(false);
      expect(fs.realpathSync(path.join(releaseDir(), "latest"))).toBe(dir);
    } finally {
      fs.writeFileSync(manifestFile, good);
    }
  });
});
