// The pipeline's other paths, each on real components: a worker killed mid-rebuild, a failed build,
// a failed check, a sign-off that never comes, a cancelled pipeline. Each leaves a recorded history.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/config.js";
import { pipelineWorkflowId } from "../../src/domain/pipeline.js";
import { composePipeline, pipelineQuery, signoffUpdate } from "../../src/workflows/compose-pipeline.js";
import { bumpPackage } from "../../src/sandbox/bump.js";
import { recordHistory } from "../support/histories.js";
import { eventually, KOJI_PASSWORD, startPipelineEnv, testPipelineInput, type PipelineEnv } from "../support/pipeline-env.js";

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

  it("a worker killed mid-rebuild: a new worker finishes the pipeline with exactly one Koji task per changed artifact", async () => {
    const handle = await start("Fedora-Rawhide-20261201.n.0", { artifacts: ["Container-Base", "Cloud-Base-Generic"] });
    const worker = spawn(process.execPath, ["--import", "tsx", path.join(projectRoot, "test/support/worker-process.ts")], {
      cwd: projectRoot,
      env: {
        ...process.env,
        WORKER_TEMPORAL_ADDRESS: p.env.address,
        WORKER_TASK_QUEUE: p.taskQueue,
        WORKER_DATABASE_URL: p.database.url,
        WORKER_KOJI_URL: p.hub.url,
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

    // Both builds submitted and running in Koji: the worker is polling them.
    await eventually(async () => ((await parentTasks()).length === 2 ? true : undefined), `two Koji tasks (worker log: ${log})`, 90_000);
    worker.kill("SIGKILL");
    await exited;

    const replacement = await p.newWorker();
    await replacement.runUntil(async () => {
      await awaitStage(handle, "awaiting-signoff", 240_000);
      await handle.executeUpdate(signoffUpdate, { args: [{ decision: "approve", comment: "survived a crash", actor: "mohan" }] });
      expect((await handle.result()).stage).toBe("published");
    });
    const tasks = await parentTasks();
    expect(tasks.map((t) => t.method).sort()).toEqual(["kiwiBuild", "kiwiBuild"]);
    const builds = await p.database.db.artifactBuild.findMany({ where: { pipelineId: handle.workflowId } });
    expect(builds.map((b) => [b.artifact, b.state, b.kojiTaskId]).sort()).toEqual(
      tasks.map((t) => [t.request && JSON.stringify(t.request).includes("Cloud-Base-Generic") ? "Cloud-Base-Generic" : "Container-Base", "SUCCEEDED", t.id]).sort(),
    );
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
      expect(view.artifacts.find((a) => a.artifact === "Server-boot")!.status).toBe("publishable");
      await handle.executeUpdate(signoffUpdate, { args: [{ decision: "approve", comment: "ship boot.iso", actor: "mohan" }] });
      const result = await handle.result();
      expect(result).toMatchObject({ stage: "published", published: ["Server-boot"] });
      await recordHistory(handle, "pipeline-build-failed");
      await recordHistory(p.env.client.workflow.getHandle(`${handle.workflowId}/build/Xfce-Live`), "artifact-build-failed");
    });
    const compose = await p.database.db.compose.findUniqueOrThrow({ where: { composeId: "Fedora-Rawhide-20261201.n.1" } });
    expect(compose.status).toBe("FINISHED_INCOMPLETE");
    const failed = await p.database.db.artifactBuild.findFirstOrThrow({ where: { composeId: "Fedora-Rawhide-20261201.n.1", artifact: "Xfce-Live" } });
    expect(failed.state).toBe("FAILED");
    p.hub.tagBuild("f46", lightdm.build_id);
  }, 180_000);

  it("an image over its size budget is gated out with the reason, and never published", async () => {
    // First a good Workstation build to compare with, then firefox triples in size.
    const worker = await p.newWorker();
    await worker.runUntil(async () => {
      const first = await start("Fedora-Rawhide-20261202.n.0", { artifacts: ["Workstation-Live"] });
      await awaitStage(first, "awaiting-signoff");
      await first.executeUpdate(signoffUpdate, { args: [{ decision: "approve", comment: "baseline", actor: "mohan" }] });
      await first.result();

      await bump("firefox", 40);
      const handle = await start("Fedora-Rawhide-20261202.n.1", { artifacts: ["Workstation-Live"] });
      const view = await handle.result().then(() => handle.query(pipelineQuery));
      expect(view.stage).toBe("nothing-to-publish");
      const ws = view.artifacts[0]!;
      expect(ws.status).toBe("gated-out");
      expect(ws.gate?.unsatisfied).toEqual([expect.objectContaining({ kind: "test-result-failed", check: "size-budget" })]);
      expect(ws.checks.find((c) => c.check === "size-budget")!.summary).toMatch(/grew .*% since Fedora-Rawhide-20261202\.n\.0.*budget 5%/);
      await recordHistory(handle, "pipeline-check-failed");
    });
    expect(fs.existsSync(path.join(p.dirs.mirrorDir, "Fedora-Rawhide", "Fedora-Rawhide-20261202.n.1"))).toBe(false);
  }, 180_000);

  it("a sign-off that never comes: one reminder, then the pipeline expires without publishing", async () => {
    const worker = await p.newWorker();
    await worker.runUntil(async () => {
      const handle = await start("Fedora-Rawhide-20261203.n.0", { artifacts: ["Server-boot"], remindAfterSeconds: 1, expireAfterSeconds: 3 });
      const result = await handle.result();
      expect(result).toEqual({ stage: "expired", composeId: "Fedora-Rawhide-20261203.n.0", published: [] });
      expect(p.reminders.filter((r) => r.composeId === "Fedora-Rawhide-20261203.n.0")).toEqual([
        { kind: "signoff-reminder", pipelineId: handle.workflowId, release: "Fedora-Rawhide", composeId: "Fedora-Rawhide-20261203.n.0", publishable: ["Server-boot"] },
      ]);
      const view = await handle.query(pipelineQuery);
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
