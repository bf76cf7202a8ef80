// The compose pipeline end to end on a real Temporal dev server, real PostgreSQL and the sandbox
// Koji hub: plan from fingerprints, rebuild only what changed, assemble, check, gate, sign off,
// publish.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { WorkflowUpdateFailedError } from "@temporalio/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ComposeIdKey, PipelineStageKey, ReleaseKey } from "../../src/temporal/search-attributes.js";
import { composePipeline, pipelineQuery, signoffUpdate } from "../../src/workflows/compose-pipeline.js";
import { releaseStatus } from "../../src/composedb/queries.js";
import { pipelineWorkflowId } from "../../src/domain/pipeline.js";
import type { PlanEntry } from "../../src/domain/plan.js";
import { projectRoot } from "../../src/config.js";
import { eventually, startPipelineEnv, testPipelineInput, type PipelineEnv } from "../support/pipeline-env.js";
import { bumpPackage } from "../../src/sandbox/bump.js";
import { recordHistory } from "../support/histories.js";
import { signed } from "../support/signoff.js";

const execFileAsync = promisify(execFile);
const ALL = ["Container-Base", "Cloud-Base-Generic", "Server-boot", "Workstation-Live", "Xfce-Live"].sort();

describe("compose pipeline", () => {
  let p: PipelineEnv;
  beforeAll(async () => {
    p = await startPipelineEnv();
  });
  afterAll(async () => {
    await p?.close();
  });

  async function start(composeId: string, overrides: Parameters<typeof testPipelineInput>[1] = {}) {
    const workflowId = pipelineWorkflowId("Fedora-Rawhide", composeId);
    const handle = await p.env.client.workflow.start(composePipeline, {
      taskQueue: p.taskQueue,
      workflowId,
      args: [testPipelineInput(composeId, overrides)],
    });
    return handle;
  }

  async function awaitStage(handle: Awaited<ReturnType<typeof start>>, stage: string) {
    return eventually(async () => {
      const view = await handle.query(pipelineQuery);
      if (view.stage === "failed") throw new Error(`pipeline failed: ${view.error}`);
      return view.stage === stage ? view : undefined;
    }, `stage ${stage}`);
  }

  const kojiTaskCount = async () => (await p.koji.listTasks({ parent: null })).filter((t) => t.method !== "tagBuild").length;

  it("first compose: rebuilds every artifact, waits for a sign-off, publishes what was approved", async () => {
    const worker = await p.newWorker();
    await worker.runUntil(async () => {
      const handle = await start("Fedora-Rawhide-20261127.n.0");
      const view = await awaitStage(handle, "awaiting-signoff");

      expect(view.plan.map((e) => e.artifact).sort()).toEqual(ALL);
      for (const entry of view.plan) {
        expect(entry.action).toBe("rebuild");
        expect(entry.reasons.map((r) => r.kind)).toEqual(["first-build"]);
      }
      // One Koji task per Koji-built artifact (Server-boot is made by the compose step).
      expect(await kojiTaskCount()).toBe(ALL.length - 1);
      for (const a of view.artifacts) {
        expect(a.status, a.artifact).toBe("publishable");
        expect(a.gate?.publish, a.artifact).toBe(true);
        expect(a.checks.map((c) => c.check).sort()).toEqual(["installability", "size-budget"]);
      }

      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(ReleaseKey)).toBe("Fedora-Rawhide");
      expect(description.typedSearchAttributes.get(ComposeIdKey)).toBe("Fedora-Rawhide-20261127.n.0");
      expect(description.typedSearchAttributes.get(PipelineStageKey)).toBe("awaiting-signoff");

      const record = await handle.executeUpdate(signoffUpdate, { args: [signed(handle.workflowId, { decision: "approve", comment: "nightly looks fine", actor: "mohan" })] });
      expect(record).toMatchObject({ decision: "approve", actor: "mohan", comment: "nightly looks fine" });
      const result = await handle.result();
      expect(result.stage).toBe("published");
      expect(result.published.sort()).toEqual(ALL);
      await recordHistory(handle, "pipeline-first-build-approved");
      await recordHistory(p.env.client.workflow.getHandle(`${handle.workflowId}/build/Workstation-Live`), "artifact-build-succeeded");
    });

    // What is on the mirror is exactly what was built, checksums verified.
    const release = path.join(p.dirs.mirrorDir, "Fedora-Rawhide");
    expect(fs.readlinkSync(path.join(release, "latest"))).toBe("Fedora-Rawhide-20261127.n.0");
    const publications = await p.database.db.publication.findMany({ where: { composeId: "Fedora-Rawhide-20261127.n.0" } });
    expect(new Set(publications.map((x) => x.artifact))).toEqual(new Set(ALL));
    for (const pub of publications) {
      const bytes = fs.readFileSync(path.join(release, "Fedora-Rawhide-20261127.n.0", pub.path));
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(pub.sha256);
    }
    // The compose is in composedb with its images and packages.
    const compose = await p.database.db.compose.findUniqueOrThrow({ where: { composeId: "Fedora-Rawhide-20261127.n.0" }, include: { images: true } });
    expect(compose.status).toBe("FINISHED");
    expect(compose.images.length).toBe(2 + 1 + 2 + 2 + 4);
    const [status] = await releaseStatus(p.database.db, "Fedora-Rawhide");
    expect(status).toMatchObject({ requiredVariants: ["Everything", "Workstation"], lastWorkingNightly: { composeId: "Fedora-Rawhide-20261127.n.0" } });
  });

  it("nothing changed: the next pipeline reuses every artifact and submits no Koji task", async () => {
    const before = await kojiTaskCount();
    const worker = await p.newWorker();
    await worker.runUntil(async () => {
      const handle = await start("Fedora-Rawhide-20261127.n.1");
      const view = await awaitStage(handle, "awaiting-signoff");
      for (const entry of view.plan) {
        expect(entry.action, entry.artifact).toBe("reuse");
        expect(entry.reuse?.composeId).toBe("Fedora-Rawhide-20261127.n.0");
      }
      await handle.executeUpdate(signoffUpdate, { args: [signed(handle.workflowId, { decision: "approve", comment: "reuse all", actor: "mohan" })] });
      expect((await handle.result()).stage).toBe("published");
      await recordHistory(handle, "pipeline-all-reused");
    });
    expect(await kojiTaskCount()).toBe(before);
  });

  it("a new firefox build: only the images containing firefox are rebuilt", async () => {
    const before = await kojiTaskCount();
    await bumpPackage(p.koji, { tag: "f46", package: "firefox", sizeFactor: 1.01 });

    const worker = await p.newWorker();
    await worker.runUntil(async () => {
      const handle = await start("Fedora-Rawhide-20261128.n.0");
      const view = await awaitStage(handle, "awaiting-signoff");
      const rebuilt = view.plan.filter((e) => e.action === "rebuild").map((e) => e.artifact).sort();
      expect(rebuilt).toEqual(["Workstation-Live", "Xfce-Live"]);
      for (const entry of view.plan.filter((e) => e.action === "rebuild")) {
        expect(entry.reasons.some((r) => r.kind === "package-changed" && r.package.startsWith("firefox."))).toBe(true);
      }
      await handle.executeUpdate(signoffUpdate, { args: [signed(handle.workflowId, { decision: "reject", comment: "firefox regression, hold", actor: "kevin" })] });
      const result = await handle.result();
      expect(result.stage).toBe("rejected");
      expect(result.published).toEqual([]);
      await recordHistory(handle, "pipeline-some-rebuilt-rejected");
    });
    expect(await kojiTaskCount()).toBe(before + 2);
    expect(fs.existsSync(path.join(p.dirs.mirrorDir, "Fedora-Rawhide", "Fedora-Rawhide-20261128.n.0"))).toBe(false);
  });

  it("refuses a sign-off for a pipeline that is not waiting for one, before it enters history", async () => {
    // Sent before any worker runs, the update is validated in the pipeline's first task, while it
    // is still taking its snapshot.
    const handle = await start("Fedora-Rawhide-20261128.n.1", { artifacts: ["Server-boot"] });
    const early = handle.executeUpdate(signoffUpdate, { args: [signed(handle.workflowId, { decision: "approve", comment: "too early", actor: "mohan" })] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    const worker = await p.newWorker();
    await worker.runUntil(async () => {
      const refused = await early;
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((refused as WorkflowUpdateFailedError).cause?.message).toMatch(/not waiting for a sign-off \(stage: snapshot\)/);
      await awaitStage(handle, "awaiting-signoff");
      const invalid = await handle.executeUpdate(signoffUpdate, { args: [signed(handle.workflowId, { decision: "maybe" as "approve", comment: "x", actor: "mohan" })] }).catch((e: unknown) => e);
      expect((invalid as WorkflowUpdateFailedError).cause?.message).toMatch(/invalid sign-off/);
      await handle.executeUpdate(signoffUpdate, { args: [signed(handle.workflowId, { decision: "approve", comment: "ok", actor: "mohan" })] });
      expect((await handle.result()).stage).toBe("published");
      await expect(handle.executeUpdate(signoffUpdate, { args: [signed(handle.workflowId, { decision: "reject", comment: "changed my mind", actor: "kevin" })] })).rejects.toThrow();
      const history = await handle.fetchHistory();
      const accepted = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
      expect(accepted).toHaveLength(1);
    });
  });

  it("`relengotron plan` explains what the next pipeline would rebuild, without building anything", async () => {
    // Asynchronously: the sandbox hub answering the command runs in this process.
    const plan = async (...args: string[]) =>
      (
        await execFileAsync(process.execPath, ["--import", "tsx", path.join(projectRoot, "src/cli/main.ts"), "plan", "Fedora-Rawhide", ...args], {
          cwd: projectRoot,
          encoding: "utf8",
          env: { ...process.env, KOJI_URL: p.hub.url, DATABASE_URL: p.database.url },
        })
      ).stdout;
    const before = await kojiTaskCount();
    // The firefox pipeline built new Workstation and Xfce images (only their publication was
    // rejected): every artifact's last build matches the tag.
    const json = JSON.parse(await plan("--json")) as { plan: PlanEntry[]; kojiEvent: number };
    expect(json.kojiEvent).toBe(p.hub.lastEventId());
    expect(json.plan.filter((e) => e.action === "rebuild").map((e) => e.artifact).sort()).toEqual([]);
    await bumpPackage(p.koji, { tag: "f46", package: "xfwm4" });
    const text = await plan();
    expect(text).toMatch(/REBUILD Xfce-Live\n\s+xfwm4-0:[^ ]+\.x86_64 -> xfwm4-0:[^ ]+\.x86_64/);
    expect(text).toMatch(/reuse\s+Workstation-Live\n\s+inputs unchanged since Fedora-Rawhide-20261128\.n\.0/);
    expect(await kojiTaskCount()).toBe(before);
  });
});
