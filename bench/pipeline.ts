// Orchestration overhead of the compose pipeline: a release of 50 artifacts, every activity
// answering instantly, on the real Temporal dev server and one worker. Measures trigger → awaiting
// sign-off, sign-off → published, and pipelines per second with many pipelines in flight.
import { TestWorkflowEnvironment } from "@temporalio/testing";
import { bundleWorkflowCode, Worker } from "@temporalio/worker";
import type { PipelineActivities } from "../src/activities/pipeline.js";
import { pipelineInput } from "../src/pipelines/service.js";
import { loadConfig } from "../src/config.js";
import type { PlanEntry } from "../src/domain/plan.js";
import { resolveTemporalCli } from "../src/temporal/cli-binary.js";
import { searchAttributeKeys } from "../src/temporal/search-attributes.js";
import { installQuietRuntime, workerTuning, workflowsPath } from "../src/runtime/worker.js";
import { composePipeline, pipelineQuery, signoffUpdate } from "../src/workflows/compose-pipeline.js";
import type { Benchmark, BenchResult } from "./run.js";

const ARTIFACTS = Array.from({ length: 50 }, (_, i) => `artifact-${String(i).padStart(2, "0")}`);

/** Every pipeline activity, answering at once with well-formed values. */
function instantActivities(): PipelineActivities {
  const plan: PlanEntry[] = ARTIFACTS.map((artifact) => ({ artifact, action: "rebuild", fingerprint: null, reasons: [{ kind: "first-build", message: "bench" }] }));
  const output = (artifact: string) => ({ arch: "x86_64", fileName: `${artifact}.iso`, size: 1, sha256: "0".repeat(64), path: `${artifact}.iso` });
  const activities: Partial<PipelineActivities> = {
    snapshotInputs: async () => ({ snapshotId: 1, kojiEvent: 1, digest: "d", builds: 1, rpms: 1 }),
    planPipeline: async () => plan,
    requiredChecks: async () => ({ required: Object.fromEntries(ARTIFACTS.map((a) => [a, ["size-budget"]])), ciWaitSeconds: 0 }),
    submitArtifactBuild: async () => ({ kojiTaskId: 1 }),
    waitForKojiTask: async () => ({ state: "CLOSED" }),
    collectArtifactOutputs: async (ref) => ({ outputs: [output(ref.artifact)], fingerprint: "f" }),
    recordArtifactBuildFailure: async () => {},
    assembleCompose: async (input) => ({
      location: "/nonexistent",
      images: input.artifacts.map((a) => ({ artifact: a.artifact, arch: "x86_64", path: `${a.artifact}.iso`, sha256: "0".repeat(64), size: 1 })),
    }),
    runChecks: async (input) => input.artifacts.map((a) => ({ artifact: a.artifact, check: "size-budget", outcome: "PASSED" as const, summary: "ok" })),
    publishArtifacts: async (input) => ({ location: "/nonexistent", files: input.files.length, alreadyPublished: false, artifacts: [], linked: 0 }),
    recordPipelineOutcome: async () => {},
    remindSignoff: async () => {},
    // Orchestration only: the signature check is the real activity's (tested in the integration suite).
    verifySignoff: async () => ({ accepted: true }),
  };
  return activities as PipelineActivities;
}

async function runPipeline(env: TestWorkflowEnvironment, taskQueue: string, composeId: string) {
  const cfg = loadConfig({ RELENGOTRON_BUILD_CONCURRENCY: "50" });
  const started = performance.now();
  const handle = await env.client.workflow.start(composePipeline, {
    taskQueue,
    workflowId: `bench/${composeId}`,
    args: [pipelineInput(cfg, { release: "Fedora-Rawhide", trigger: "manual" }, composeId)],
  });
  for (;;) {
    if ((await handle.query(pipelineQuery)).stage === "awaiting-signoff") break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const awaiting = performance.now();
  await handle.executeUpdate(signoffUpdate, { args: [{ decision: "approve", comment: "bench", actor: "bench" }] });
  const result = await handle.result();
  if (result.published.length !== ARTIFACTS.length) throw new Error(`published ${result.published.length} of ${ARTIFACTS.length}`);
  return { toSignoff: awaiting - started, toPublished: performance.now() - awaiting, total: performance.now() - started };
}

const bench: Benchmark = {
  name: "pipeline",
  description: "orchestration overhead: 50 artifacts, instant activities, real Temporal dev server, one worker",
  async run(log): Promise<BenchResult> {
    installQuietRuntime();
    const env = await TestWorkflowEnvironment.createLocal({
      server: { executable: { type: "existing-path", path: resolveTemporalCli({ install: true }) }, searchAttributes: searchAttributeKeys, log: { format: "pretty", level: "error" } },
    });
    try {
      const taskQueue = "bench-pipeline";
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: await bundleWorkflowCode({ workflowsPath, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } }),
        activities: instantActivities(),
        ...workerTuning,
      });
      return await worker.runUntil(async () => {
        log("warming up");
        await runPipeline(env, taskQueue, "Fedora-Rawhide-20260101.n.0");
        const sequential = [];
        for (let i = 1; i <= 5; i++) sequential.push(await runPipeline(env, taskQueue, `Fedora-Rawhide-20260101.n.${i}`));
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
        log("throughput");
        const concurrent = 10;
        const t0 = performance.now();
        await Promise.all(Array.from({ length: concurrent }, (_, i) => runPipeline(env, taskQueue, `Fedora-Rawhide-20260102.n.${i}`)));
        const seconds = (performance.now() - t0) / 1000;
        const ms = (x: number) => `${x.toFixed(0)} ms`;
        return {
          title: "Compose pipeline orchestration (50 artifacts, instant activities, one worker)",
          columns: ["measure", "value"],
          rows: [
            ["trigger → awaiting sign-off (median of 5)", ms(median(sequential.map((s) => s.toSignoff)))],
            ["sign-off → published (median of 5)", ms(median(sequential.map((s) => s.toPublished)))],
            ["trigger → published (median of 5)", ms(median(sequential.map((s) => s.total)))],
            [`pipelines per second (${concurrent} in flight)`, (concurrent / seconds).toFixed(2)],
            [`child workflows per second (${concurrent * ARTIFACTS.length} builds)`, ((concurrent * ARTIFACTS.length) / seconds).toFixed(1)],
          ],
          notes: ["each pipeline: snapshot, plan, 50 child artifact builds (3 activities each), compose, checks, gate, sign-off update, publish"],
        };
      });
    } finally {
      await env.teardown();
    }
  },
};

export default bench;
