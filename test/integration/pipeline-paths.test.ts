// The pipeline's other paths, each on real components: a worker killed mid-rebuild, a failed build,
// a failed check, a sign-off that never comes, a cancelled pipeline. Each leaves a recorded history.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashFile as sha256Of } from "../../src/activities/file-digest.js";
import { releaseStatus } from "../../src/composedb/queries.js";
import { formatStatusText } from "../../src/composedb/status-text.js";
import { projectRoot } from "../../src/config.js";
import { MANIFEST_FILE, parseMirrorManifest } from "../../src/domain/mirror-manifest.js";
import { pipelineWorkflowId } from "../../src/domain/pipeline.js";
import { composePipeline, pipelineQuery, signoffUpdate } from "../../src/workflows/compose-pipeline.js";
import { bumpPackage } from "../../src/sandbox/bump.js";
import { recordHistory } from "../support/histories.js";
import { signed } from "../support/signoff.js";
import { eventually, KOJI_PASSWORD, startPipelineEnv, testPipelineInput, type PipelineEnv } from "../support/pipeline-env.js";

const ALL = ["Cloud-Base-Generic", "Container-Base", "Server-boot", "Workstation-Live", "Xfce-Live"];
/** config/artifacts/fedora-rawhide.yaml's order, which the mirror manifest keeps */
const ALL_IN_RELEASE_ORDER = ["Workstation-Live", "Xfce-Live", "Server-boot", "Cloud-Base-Generic", "Container-Base"];

describe("compose pipeline paths", () => {
  let p: PipelineEnv;
  beforeAll(async () => {
    p = await startPipelineEnv({ taskDurationMs: 5000 });
  });
  afterAll(async () => {
    await p?.close();
  });

  const start = (composeId: string, overrides: Parameters<typeof testPipelineInput>[1] = {}) =>
    p.env.client.workflow.start(composePipeline, {
      taskQueue: p.taskQueue,
      workflowId: pipelineWorkflowId("Fedora-Rawhide", composeId),
      args: [testPipelineInput(composeId, overrides)],
    });
  const awaitStage = (handle: Awaited<ReturnType<typeof start>>, stage: string, timeoutMs = 90_000) =>
    eventually(async () => {
      const view = await handle.query(pipelineQuery);
      return view.stage === stage ? view : undefined;
    }, `stage ${stage}`, timeoutMs);
  const parentTasks = async () => (await p.koji.listTasks({ parent: null })).filter((t) => t.method !== "tagBuild");

  const bump = (name: string, sizeFactor = 1) => bumpPackage(p.koji, { tag: "f46", package: name, sizeFactor });
  const releaseDir = () => path.join(p.dirs.mirrorDir, "Fedora-Rawhide");
  const publishedIn = (composeId: string) => parseMirrorManifest(fs.readFileSync(path.join(releaseDir(), composeId, MANIFEST_FILE), "utf8"), composeId);
  const mirrorLatest = () => {
    const dir = fs.realpathSync(path.join(releaseDir(), "latest"));
    return { dir, manifest: publishedIn(path.basename(dir)) };
  };
  const sameInode = (a: string, b: string) => fs.statSync(a).ino === fs.statSync(b).ino;

  it("a worker killed mid-rebuild: a new worker finishes the pipeline with exactly one Koji task per changed artifact", async () => {
    // The first pipeline of the release: every artifact is built, whatever the candidates.
    const handle = await start("Fedora-Rawhide-20261201.n.0", { artifacts: ["Container-Base", "Cloud-Base-Generic"] });
    const worker = spawn(process.execPath, ["--import", "tsx", path.join(projectRoot, "test/support/worker-process.ts")], {
      cwd: projectRoot,
      env: {
        ...process.env,
        WORKER_TEMPORAL_ADDRESS: p.env.address,
        WORKER_TASK_QUEUE: p.taskQueue,
        WORKER_DATABASE_URL: p.database.url,
        WORKER_KOJI_URL: p.hub.url,
        WORKER_KOJI_TOPURL: p.hub.topurl,
        WORKER_KOJI_PASSWORD: KOJI_PASSWORD,
        WORKER_RESULTSDB_URL: p.resultsdbUrl,
        WORKER_BUILDS_DIR: p.dirs.buildsDir,
        WORKER_COMPOSE_ROOT: p.dirs.composeRoot,
        WORKER_MIRROR_DIR: p.dirs.mirrorDir,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    worker.stdout!.on("data", (d) => (log += d));
    worker.stderr!.on("data", (d) => (log += d));
    const exited = new Promise((resolve) => worker.once("exit", resolve));

    // Builds submitted and running in Koji: the worker is polling them.
    await eventually(async () => ((await parentTasks()).length >= 2 ? true : undefined), `two Koji tasks (worker log: ${log})`, 90_000);
    worker.kill("SIGKILL");
    await exited;

    const replacement = await p.newWorker();
    await replacement.runUntil(async () => {
      await awaitStage(handle, "awaiting-signoff", 240_000);
      await handle.executeUpdate(signoffUpdate, { args: [signed(handle.workflowId, { decision: "approve", comment: "survived a crash", actor: "mohan" })] });
      expect((await handle.result()).stage).toBe("published");
    });
    // One task per Koji-built artifact (the boot.iso comes from the compose step), none twice.
    const tasks = await parentTasks();
    expect(tasks.map((t) => t.method).sort()).toEqual(["kiwiBuild", "kiwiBuild", "livemedia", "livemedia"]);
    const builds = await p.database.db.artifactBuild.findMany({ where: { pipelineId: handle.workflowId }, orderBy: { artifact: "asc" } });
    expect(builds.map((b) => [b.artifact, b.state])).toEqual(ALL.map((a) => [a, "SUCCEEDED"]));
    const named = (artifact: string) => tasks.filter((t) => JSON.stringify(t.request).includes(artifact));
    for (const b of builds.filter((b) => b.kojiTaskId !== null)) expect(named(b.artifact).map((t) => t.id), b.artifact).toEqual([b.kojiTaskId]);
    expect(builds.filter((b) => b.kojiTaskId !== null)).toHaveLength(tasks.length);
  }, 360_000);

  it("a build that fails in Koji is not published; the rest of the compose still is, FINISHED_INCOMPLETE", async () => {
    // Xfce needs lightdm: without it in the tag its livemedia task fails to resolve packages.
    const lightdm = (await p.koji.listTagged("f46", { latest: true, package: "lightdm" }))[0]!;
    p.hub.untagBuild("f46", lightdm.build_id);
    const worker = await p.newWorker();
    await worker.runUntil(async () => {
      const handle = await start("Fedora-Rawhide-20261201.n.1", { artifacts: ["Xfce-Live", "Server-boot"] });
      const view = await awaitStage(handle, "awaiting-signoff");
      const xfce = view.artifacts.find((a) => a.artifact === "Xfce-Live")!;
      expect(xfce.status).toBe("build-failed");
      expect(xfce.error).toMatch(/lightdm/);
      expect(xfce.gate).toMatchObject({ publish: false, unsatisfied: [{ kind: "build-failed" }] });
      // The rest of the release is reused from the first pipeline, and still publishable.
      expect(view.artifacts.filter((a) => a.artifact !== "Xfce-Live").map((a) => [a.artifact, a.action, a.status])).toEqual(
        ALL_IN_RELEASE_ORDER.filter((a) => a !== "Xfce-Live").map((a) => [a, "reuse", "publishable"]),
      );
      await handle.executeUpdate(signoffUpdate, { args: [signed(handle.workflowId, { decision: "approve", comment: "ship what built", actor: "mohan" })] });
      const result = await handle.result();
      expect(result).toMatchObject({ stage: "published", published: ALL_IN_RELEASE_ORDER.filter((a) => a !== "Xfce-Live") });
      const published = await handle.query(pipelineQuery);
      expect(published.artifacts.find((a) => a.artifact === "Xfce-Live")!.mirror).toEqual({
        builtIn: "Fedora-Rawhide-20261201.n.0",
        kept: true,
        reason: expect.stringMatching(/^its build failed: .*lightdm/),
      });
      await recordHistory(handle, "pipeline-build-failed");
      await recordHistory(p.env.client.workflow.getHandle(`${handle.workflowId}/build/Xfce-Live`), "artifact-build-failed");
    });
    const compose = await p.database.db.compose.findUniqueOrThrow({ where: { composeId: "Fedora-Rawhide-20261201.n.1" } });
    expect(compose.status).toBe("FINISHED_INCOMPLETE");
    const failed = await p.database.db.artifactBuild.findFirstOrThrow({ where: { composeId: "Fedora-Rawhide-20261201.n.1", artifact: "Xfce-Live" } });
    expect(failed.state).toBe("FAILED");
    // The mirror keeps the Xfce ISO the first pipeline published: latest is the whole release.
    const latest = mirrorLatest();
    expect(latest.manifest.composeId).toBe("Fedora-Rawhide-20261201.n.1");
    expect(latest.manifest.artifacts.map((a) => a.artifact)).toEqual(ALL_IN_RELEASE_ORDER);
    const xfceFiles = latest.manifest.files.filter((f) => f.artifact === "Xfce-Live");
    expect(xfceFiles.length).toBeGreaterThan(0);
    expect(xfceFiles).toEqual(publishedIn("Fedora-Rawhide-20261201.n.0").files.filter((f) => f.artifact === "Xfce-Live"));
    for (const f of latest.manifest.files) expect(await sha256Of(path.join(latest.dir, f.path)), f.path).toBe(f.sha256);
    for (const f of xfceFiles) expect(sameInode(path.join(latest.dir, f.path), path.join(p.dirs.mirrorDir, "Fedora-Rawhide", "Fedora-Rawhide-20261201.n.0", f.path))).toBe(true);
    const [status] = await releaseStatus(p.database.db, "Fedora-Rawhide");
    expect(status!.mirror?.artifacts.find((a) => a.artifact === "Xfce-Live")).toMatchObject({ builtIn: "Fedora-Rawhide-20261201.n.0", kept: true });
    expect(formatStatusText([status!])).toMatch(/Xfce-Live +built in Fedora-Rawhide-20261201\.n\.0, kept: its build failed/);
    p.hub.tagBuild("f46", lightdm.build_id);
  }, 180_000);

  it("an image over its size budget is gated out with the reason, and never published; the mirror keeps its last good build", async () => {
    // Xfce builds again (lightdm is back), then firefox grows forty-fold under Workstation.
    const worker = await p.newWorker();
    await worker.runUntil(async () => {
      const first = await start("Fedora-Rawhide-20261202.n.0", { artifacts: ["Xfce-Live"] });
      await awaitStage(first, "awaiting-signoff");
      await first.executeUpdate(signoffUpdate, { args: [signed(first.workflowId, { decision: "approve", comment: "baseline", actor: "mohan" })] });
      expect((await first.result()).published).toEqual(ALL_IN_RELEASE_ORDER);

      await bump("firefox", 40);
      const handle = await start("Fedora-Rawhide-20261202.n.1", { artifacts: ["Workstation-Live"] });
      const view = await awaitStage(handle, "awaiting-signoff");
      const ws = view.artifacts.find((a) => a.artifact === "Workstation-Live")!;
      expect(ws.status).toBe("gated-out");
      expect(ws.gate?.unsatisfied).toEqual([expect.objectContaining({ kind: "test-result-failed", check: "size-budget" })]);
      expect(ws.checks.find((c) => c.check === "size-budget")!.summary).toMatch(/grew .*% since Fedora-Rawhide-20261201\.n\.0.*budget 5%/);
      // Xfce carries firefox too, but it was no candidate: its last build is reused.
      expect(view.plan.find((e) => e.artifact === "Xfce-Live")).toMatchObject({ action: "reuse", reasons: [{ kind: "not-a-candidate" }, expect.objectContaining({ kind: "package-changed" })] });
      await handle.executeUpdate(signoffUpdate, { args: [signed(handle.workflowId, { decision: "approve", comment: "the rest is fine", actor: "mohan" })] });
      expect((await handle.result()).published).toEqual(ALL_IN_RELEASE_ORDER.filter((a) => a !== "Workstation-Live"));
      await recordHistory(handle, "pipeline-check-failed");
    });
    // The gated-out build's files are nowhere on the mirror; latest keeps the last approved ones.
    const gated = await p.database.db.artifactBuild.findFirstOrThrow({ where: { composeId: "Fedora-Rawhide-20261202.n.1", artifact: "Workstation-Live" } });
    const gatedSha = (gated.outputs as { sha256: string }[]).map((o) => o.sha256);
    const latest = mirrorLatest();
    expect(latest.manifest.composeId).toBe("Fedora-Rawhide-20261202.n.1");
    expect(latest.manifest.files.some((f) => gatedSha.includes(f.sha256))).toBe(false);
    expect(latest.manifest.files.filter((f) => f.artifact === "Workstation-Live")).toEqual(publishedIn("Fedora-Rawhide-20261201.n.0").files.filter((f) => f.artifact === "Workstation-Live"));
    expect(latest.manifest.artifacts.find((a) => a.artifact === "Workstation-Live")).toMatchObject({ builtIn: "Fedora-Rawhide-20261201.n.0", kept: true, reason: expect.stringMatching(/^gated out: .*size-budget/) });
    for (const f of latest.manifest.files) expect(await sha256Of(path.join(latest.dir, f.path)), f.path).toBe(f.sha256);
  }, 240_000);

  it("a sign-off that never comes: one reminder, then the pipeline expires without publishing", async () => {
    const worker = await p.newWorker();
    await worker.runUntil(async () => {
      const handle = await start("Fedora-Rawhide-20261203.n.0", { artifacts: ["Server-boot"], remindAfterSeconds: 1, expireAfterSeconds: 3 });
      const result = await handle.result();
      expect(result).toEqual({ stage: "expired", composeId: "Fedora-Rawhide-20261203.n.0", published: [] });
      const view = await handle.query(pipelineQuery);
      const waited = view.artifacts.filter((a) => a.status === "not-published").map((a) => a.artifact);
      expect(waited).toContain("Server-boot");
      expect(p.reminders.filter((r) => r.composeId === "Fedora-Rawhide-20261203.n.0")).toEqual([
        { kind: "signoff-reminder", pipelineId: handle.workflowId, release: "Fedora-Rawhide", composeId: "Fedora-Rawhide-20261203.n.0", publishable: waited },
      ]);
      expect(view.remindedAt).toBeDefined();
      await recordHistory(handle, "pipeline-expired");
    });
  }, 120_000);

  it("cancelling a pipeline mid-build cancels its Koji tasks", async () => {
    await bump("xfwm4");
    const worker = await p.newWorker();
    await worker.runUntil(async () => {
      const handle = await start("Fedora-Rawhide-20261204.n.0", { artifacts: ["Xfce-Live"] });
      const task = await eventually(async () => {
        const row = await p.database.db.artifactBuild.findFirst({ where: { pipelineId: handle.workflowId, kojiTaskId: { not: null } } });
        return row ? await p.koji.getTaskInfo(row.kojiTaskId!) : undefined;
      }, "the Xfce task");
      expect(task!.state).not.toBe(2);
      await handle.cancel();
      await expect(handle.result()).rejects.toThrow();
      const info = await eventually(async () => {
        const t = await p.koji.getTaskInfo(task!.id);
        return t && t.state === 3 ? t : undefined;
      }, "the Koji task to be CANCELED", 20_000).catch(async (e: Error) => {
        throw new Error(`${e.message}: task ${JSON.stringify(await p.koji.getTaskInfo(task!.id))}`);
      });
      expect(info.state).toBe(3);
      const build = await p.database.db.artifactBuild.findFirstOrThrow({ where: { pipelineId: handle.workflowId } });
      expect(build.state).toBe("CANCELED");
      await recordHistory(handle, "pipeline-cancelled");
    });
  }, 120_000);
});
