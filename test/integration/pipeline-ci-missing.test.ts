// External CI that never reports: a required `ci:` result still MISSING when `ciWaitSeconds` is
// over gates the artifact out — the rest of the release is published, that artifact is not.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineWorkflowId } from "../../src/domain/pipeline.js";
import { MANIFEST_FILE, parseMirrorManifest } from "../../src/domain/mirror-manifest.js";
import { composePipeline, pipelineQuery, signoffUpdate } from "../../src/workflows/compose-pipeline.js";
import { recordHistory } from "../support/histories.js";
import { signed } from "../support/signoff.js";
import { releasesWithCi } from "../support/releases.js";
import { eventually, startPipelineEnv, testPipelineInput, type PipelineEnv } from "../support/pipeline-env.js";

const CI_TESTCASE = "compose.container.smoke";
const CI_WAIT_SECONDS = 3;


describe("a required CI result that never comes", () => {
  let p: PipelineEnv;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-ci-missing-"));
    p = await startPipelineEnv({ releasesDir: releasesWithCi(dir, { testcase: CI_TESTCASE, waitSeconds: CI_WAIT_SECONDS }) });
  }, 180_000);
  afterAll(async () => {
    await p?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("gates the artifact out once ciWaitSeconds are over; the rest is published, that artifact nowhere", async () => {
    const composeId = "Fedora-Rawhide-20261220.n.0";
    const worker = await p.newWorker();
    await worker.runUntil(async () => {
      const handle = await p.env.client.workflow.start(composePipeline, {
        taskQueue: p.taskQueue,
        workflowId: pipelineWorkflowId("Fedora-Rawhide", composeId),
        args: [testPipelineInput(composeId)],
      });
      const view = await eventually(async () => {
        const v = await handle.query(pipelineQuery);
        if (v.stage === "failed") throw new Error(v.error);
        return v.stage === "awaiting-signoff" ? v : undefined;
      }, "awaiting-signoff", 120_000);
      const container = view.artifacts.find((a) => a.artifact === "Container-Base")!;
      expect(container.status).toBe("gated-out");
      expect(container.gate).toMatchObject({ publish: false, unsatisfied: [{ kind: "test-result-missing", check: `ci:${CI_TESTCASE}` }] });
      expect(view.artifacts.filter((a) => a.status === "publishable").map((a) => a.artifact).sort()).toEqual(["Cloud-Base-Generic", "Server-boot", "Workstation-Live", "Xfce-Live"]);
      // It waited for CI on a timer before deciding (the history holds it), and recorded the miss.
      const history = await handle.fetchHistory();
      expect(history.events!.some((e) => e.timerStartedEventAttributes)).toBe(true);
      const recorded = await p.database.db.checkResult.findFirst({ where: { pipelineId: handle.workflowId, artifact: "Container-Base", check: `ci:${CI_TESTCASE}` } });
      expect(recorded?.outcome).toBe("MISSING");
      await handle.executeUpdate(signoffUpdate, { args: [signed(handle.workflowId, { decision: "approve", comment: "without the container", actor: "mohan" })] });
      const result = await handle.result();
      expect(result.stage).toBe("published");
      expect(result.published).not.toContain("Container-Base");
      await recordHistory(handle, "pipeline-ci-missing");
    });
    const latest = path.join(p.dirs.mirrorDir, "Fedora-Rawhide", "latest");
    const manifest = parseMirrorManifest(fs.readFileSync(path.join(latest, MANIFEST_FILE), "utf8"), latest);
    expect(manifest.artifacts.map((a) => a.artifact)).not.toContain("Container-Base");
    expect(manifest.files.some((f) => f.artifact === "Container-Base")).toBe(false);
    expect(fs.existsSync(path.join(latest, "Container"))).toBe(false);
  }, 240_000);
});
