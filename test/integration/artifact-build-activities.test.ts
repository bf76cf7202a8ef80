// The build activities' idempotency, run directly (real activities, real database, sandbox Koji):
// a retried submit never creates a second Koji task, even when a crash lost the first task's id.
import path from "node:path";
import { MockActivityEnvironment } from "@temporalio/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArtifactBuildActivities, imageNvr } from "../../src/activities/artifact-build.js";
import { createCheckActivities } from "../../src/activities/checks.js";
import { createComposeActivities } from "../../src/activities/compose.js";
import { createSnapshotActivities } from "../../src/activities/snapshot.js";
import { bumpPackage } from "../../src/sandbox/bump.js";
import { startPipelineEnv, type PipelineEnv } from "../support/pipeline-env.js";

describe("artifact build activities", () => {
  let p: PipelineEnv;
  let acts: ReturnType<typeof createArtifactBuildActivities>;
  let snapshotId: number;
  // An activity context (heartbeats, cancellation) around the real activity function.
  const run = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> =>
    new MockActivityEnvironment().run(fn, ...args) as Promise<R>;

  beforeAll(async () => {
    p = await startPipelineEnv({ taskDurationMs: 100 });
    acts = createArtifactBuildActivities({ ...p.deps, pollMs: 20 });
    const snapshots = createSnapshotActivities(p.deps);
    snapshotId = (await run(snapshots.snapshotInputs, { pipelineId: "p", release: "Fedora-Rawhide" })).snapshotId;
  });
  afterAll(async () => {
    await p?.close();
  });

  const parentTasks = async () => (await p.koji.listTasks({ parent: null })).filter((t) => t.method !== "tagBuild");

  it("a second submit for the same pipeline and artifact returns the first task", async () => {
    const ref = { pipelineId: "pipeline/Fedora-Rawhide/Fedora-Rawhide-20261210.n.0", release: "Fedora-Rawhide", composeId: "Fedora-Rawhide-20261210.n.0", artifact: "Cloud-Base-Generic", snapshotId };
    const before = (await parentTasks()).length;
    const first = await run(acts.submitArtifactBuild, ref);
    const second = await run(acts.submitArtifactBuild, ref);
    expect(second).toEqual(first);
    expect((await parentTasks()).length).toBe(before + 1);
  });

  it("after a crash between Koji's answer and the database write, the retry finds the task instead of submitting again", async () => {
    const ref = { pipelineId: "pipeline/Fedora-Rawhide/Fedora-Rawhide-20261210.n.1", release: "Fedora-Rawhide", composeId: "Fedora-Rawhide-20261210.n.1", artifact: "Workstation-Live", snapshotId };
    // What the crashed attempt left: the intent row without a task id, and the task in Koji.
    await p.database.db.artifactBuild.create({
      data: { pipelineId: ref.pipelineId, composeId: ref.composeId, release: ref.release, artifact: ref.artifact, snapshotId, inputs: {}, state: "SUBMITTED" },
    });
    const def = p.releases.get("Fedora-Rawhide");
    const artifact = def.artifacts.find((a) => a.name === ref.artifact)!;
    const nvr = imageNvr(def, artifact, ref.composeId);
    const lost = await p.koji.buildImage(nvr.name, nvr.version, artifact.arches, def.koji.target, "fedora-live-workstation.ks", "livemedia", { release: nvr.release });
    const before = (await parentTasks()).length;

    const { kojiTaskId } = await run(acts.submitArtifactBuild, ref);
    expect(kojiTaskId).toBe(lost);
    expect((await parentTasks()).length).toBe(before);
    const row = await p.database.db.artifactBuild.findUniqueOrThrow({ where: { pipelineId_artifact: { pipelineId: ref.pipelineId, artifact: ref.artifact } } });
    expect(row.kojiTaskId).toBe(lost);
  });

  it("collecting twice downloads once and reports the same outputs, verified against Koji's checksums", async () => {
    const ref = { pipelineId: "pipeline/Fedora-Rawhide/Fedora-Rawhide-20261210.n.2", release: "Fedora-Rawhide", composeId: "Fedora-Rawhide-20261210.n.2", artifact: "Container-Base", snapshotId };
    const { kojiTaskId } = await run(acts.submitArtifactBuild, ref);
    expect(await run(acts.waitForKojiTask, { ...ref, kojiTaskId: kojiTaskId! })).toEqual({ state: "CLOSED" });
    // Koji removed the task's work directories at import: the images come from the topurl,
    // with a heartbeat per file downloaded.
    const children = (await p.koji.getTaskChildren(kojiTaskId!)).filter((c) => c.method !== "tagBuild");
    for (const c of children) expect(await p.koji.listTaskOutput(c.id)).toEqual([]);
    const heartbeats: unknown[] = [];
    const env = new MockActivityEnvironment();
    env.on("heartbeat", (d: unknown) => heartbeats.push(d));
    const first = (await env.run(acts.collectArtifactOutputs, { ...ref, kojiTaskId })) as Awaited<ReturnType<typeof acts.collectArtifactOutputs>>;
    const second = await run(acts.collectArtifactOutputs, { ...ref, kojiTaskId });
    expect(second).toEqual(first);
    for (const o of first.outputs) expect(heartbeats).toContainEqual({ downloading: o.fileName, bytes: o.size, size: o.size });
    expect(first.outputs.map((o) => o.arch).sort()).toEqual(["aarch64", "ppc64le", "s390x", "x86_64"]);
    for (const o of first.outputs) expect(o.fileName).toMatch(/\.tar\.xz$/);
    const build = (await p.koji.listBuilds({ taskID: kojiTaskId! }))[0]!;
    const archives = await p.koji.listArchives({ buildID: build.build_id, type: "image" });
    for (const o of first.outputs) {
      const archive = archives.find((a) => a.filename === o.fileName)!;
      expect(archive.checksum_type).toBe(2); // sha256
      expect(o.sha256).toBe(archive.checksum);
      expect(o.size).toBe(archive.size);
      expect(path.isAbsolute(o.path)).toBe(false);
    }
    const row = await p.database.db.artifactBuild.findUniqueOrThrow({ where: { pipelineId_artifact: { pipelineId: ref.pipelineId, artifact: ref.artifact } } });
    expect(row.state).toBe("SUCCEEDED");
    // The components are what Koji recorded for the images.
    const recorded = new Set<string>();
    for (const a of archives.filter((x) => x.filename.endsWith(".tar.xz"))) {
      for (const r of await p.koji.listRPMs({ imageID: a.id })) recorded.add(`${r.name}-${r.epoch ?? 0}:${r.version}-${r.release}.${r.arch}`);
    }
    expect(row.components).toEqual([...recorded].sort());
  });

  it("installability: a reused image whose library lost its soname in the compose fails, naming the requirement", async () => {
    const compose = createComposeActivities(p.deps);
    const checks = createCheckActivities(p.deps);
    const snapshots = createSnapshotActivities(p.deps);
    // The Container-Base build of the previous test, in a compose made from the tag as it is.
    const built = { pipelineId: "pipeline/Fedora-Rawhide/Fedora-Rawhide-20261210.n.2", composeId: "Fedora-Rawhide-20261210.n.2" };
    const first = { pipelineId: "pipeline/Fedora-Rawhide/Fedora-Rawhide-20261210.n.3", release: "Fedora-Rawhide", composeId: "Fedora-Rawhide-20261210.n.3", snapshotId };
    const artifacts = [{ artifact: "Container-Base", reuse: built }];
    await run(compose.assembleCompose, { ...first, artifacts, incomplete: false });
    const ok = await run(checks.runChecks, { ...first, artifacts, only: ["installability"] });
    expect(ok).toEqual([expect.objectContaining({ artifact: "Container-Base", check: "installability", outcome: "PASSED" })]);

    // libfoo bumps its soname; foo-cli in the image still needs the old one.
    await bumpPackage(p.koji, { tag: "f46", package: "libfoo", renameDeps: { "libfoo.so.1()(64bit)": "libfoo.so.2()(64bit)" } });
    const after = { pipelineId: "pipeline/Fedora-Rawhide/Fedora-Rawhide-20261210.n.4", release: "Fedora-Rawhide", composeId: "Fedora-Rawhide-20261210.n.4" };
    const { snapshotId: newSnapshot } = await run(snapshots.snapshotInputs, { pipelineId: after.pipelineId, release: "Fedora-Rawhide" });
    await run(compose.assembleCompose, { ...after, snapshotId: newSnapshot, artifacts, incomplete: false });
    const [failed] = await run(checks.runChecks, { ...after, snapshotId: newSnapshot, artifacts, only: ["installability"] });
    expect(failed).toMatchObject({ artifact: "Container-Base", check: "installability", outcome: "FAILED" });
    expect(failed!.summary).toMatch(/foo-cli-[^ ]+ requires libfoo\.so\.1\(\)\(64bit\), which nothing in the repositories provides/);
  });
});
