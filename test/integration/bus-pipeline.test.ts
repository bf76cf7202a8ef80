// The whole loop with pipelines that run: the sandbox Koji hub, ResultsDB, a worker with the
// pipeline and trigger activities, the machine's RabbitMQ and messages published by the real Python
// fedora-messaging library. A change to the compose tag starts a pipeline for exactly the images
// that contain the changed package; ResultsDB messages wake pipelines waiting for CI; the sandbox
// publishes its own Koji changes (in-process when there is no broker); the nightly schedule's
// pipeline rebuilds nothing when nothing changed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { busConfigSchema } from "../../src/bus/config.js";
import { sandboxKojiPublisher } from "../../src/sandbox/koji-messages.js";
import { startBus } from "../../src/bus/service.js";
import { loadConfig, projectRoot } from "../../src/config.js";
import { parseNevra } from "../../src/domain/nevra.js";
import { startPipeline } from "../../src/pipelines/service.js";
import type { KojiHubEvent } from "../../src/sandbox/koji-hub.js";
import { ensureNightlySchedules, nightlyScheduleId } from "../../src/temporal/schedules.js";
import { pipelineQuery, signoffUpdate } from "../../src/workflows/compose-pipeline.js";
import { triggerQuery, triggerWorkflowId } from "../../src/workflows/release-trigger.js";
import { eventually, startPipelineEnv, type PipelineEnv } from "../support/pipeline-env.js";
import { deleteQueues, publishWithPython, requireRabbitMq, startConsumer, testQueueName, testTopicPrefix, writeFedoraMessagingConf, type ConsumerHarness } from "../support/bus-env.js";
import { recordHistory } from "../support/histories.js";
import { signed } from "../support/signoff.js";
import { releasesWithCi } from "../support/releases.js";

const RELEASE = "Fedora-Rawhide";
const ALL = ["Cloud-Base-Generic", "Container-Base", "Server-boot", "Workstation-Live", "Xfce-Live"];
const CI_TESTCASE = "compose.container.smoke";


describe("bus to pipeline", () => {
  let p: PipelineEnv;
  let stopWorker: () => Promise<void>;
  let bus: ConsumerHarness;
  let conf: string;
  let dir: string;
  const queue = testQueueName(import.meta.url);
  const prefix = testTopicPrefix();
  const cfg = () => loadConfig({ TEMPORAL_TASK_QUEUE: p.taskQueue });

  const runs = (trigger: "bus" | "nightly" | "manual") => p.database.db.pipelineRun.findMany({ where: { trigger }, orderBy: { id: "asc" } });
  const kojiTasks = async () => (await p.koji.listTasks({ parent: null })).length;
  const stageOf = async (workflowId: string, stage: string) =>
    eventually(async () => {
      const view = await p.env.client.workflow.getHandle(workflowId).query(pipelineQuery);
      if (view.stage === "failed") throw new Error(`pipeline failed: ${view.error}`);
      return view.stage === stage ? view : undefined;
    }, `${workflowId} at ${stage}`, 120_000);
  const finish = async (workflowId: string, decision: "approve" | "reject") => {
    const handle = p.env.client.workflow.getHandle(workflowId);
    await handle.executeUpdate(signoffUpdate, { args: [signed(handle.workflowId, { decision, comment: "bus test", actor: "mohan" })] });
    return handle.result();
  };
  /** Tags a new build of `name` into f46 (one more release number), answering the hub's own message about it. */
  const tagNewBuild = async (name: string, rpms?: { name?: string; arch: string; size: number }[]): Promise<KojiHubEvent> => {
    const latest = (await p.koji.listTagged("f46", { latest: true, package: name }))[0];
    const spec = latest
      ? {
          name,
          epoch: latest.epoch,
          version: latest.version,
          release: latest.release.replace(/^(\d+)/, (n) => String(Number(n) + 1)),
          rpms: (await p.koji.listBuildRPMs(latest.build_id)).filter((r) => r.arch !== "src").map((r) => ({ name: r.name, arch: r.arch, size: r.size + 4096, requires: [], provides: [] })),
        }
      : { name, epoch: null, version: "1.0", release: "1.fc46", rpms: (rpms ?? []).map((r) => ({ ...r, requires: [], provides: [] })) };
    const id = p.hub.createBuild(spec);
    let event: KojiHubEvent | undefined;
    const off = p.hub.on("buildsys.tag", (e) => (event = e));
    try {
      p.hub.tagBuild("f46", id);
    } finally {
      off();
    }
    return event!;
  };
  /** CI passes the container image of a compose: a result in ResultsDB, announced on the bus. */
  const reportCi = async (composeId: string) => {
    const item = `Fedora-Container-Base-Rawhide-${composeId.slice(`${RELEASE}-`.length)}`;
    const result = p.resultsdb.submit({ testcase: { name: CI_TESTCASE }, outcome: "PASSED", data: { item, type: "koji_build" } });
    await publishWithPython(conf, [{ schema: "base.message", topic: "resultsdb.result.new", body: { ...result, groups: [], href: `http://resultsdb/api/v2.0/results/${result.id}` } }]);
  };
  const publishTag = (event: KojiHubEvent) => publishWithPython(conf, [{ schema: "koji_fedoramessaging.tag.TagV1", body: event.body }]);
  const newRun = async (trigger: "bus" | "nightly", before: number) =>
    eventually(async () => {
      const all = await runs(trigger);
      return all.length > before ? all[before] : undefined;
    }, `a ${trigger} pipeline`, 60_000);

  beforeAll(async () => {
    await requireRabbitMq();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-bus-pipeline-"));
    conf = writeFedoraMessagingConf(dir, { topicPrefix: prefix });
    p = await startPipelineEnv({ releasesDir: releasesWithCi(dir, { testcase: CI_TESTCASE, waitSeconds: 900 }) });
    stopWorker = await p.startWorker();
    bus = await startConsumer({ client: p.env.client, db: p.database.db, releases: p.releases, taskQueue: p.taskQueue, trigger: { quietSeconds: 2, maxWaitSeconds: 60 }, queue, topicPrefix: prefix, koji: p.koji });
  }, 180_000);

  afterAll(async () => {
    await bus?.stop();
    await stopWorker?.();
    await deleteQueues([queue]).catch(() => {});
    await p?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a ResultsDB message wakes a pipeline waiting for CI, long before it would look again", async () => {
    const { workflowId, composeId } = await startPipeline({ client: p.env.client, db: p.database.db, cfg: cfg(), releases: p.releases }, { release: RELEASE, trigger: "manual" });
    await stageOf(workflowId, "check");
    await eventually(
      async () => (await p.database.db.checkResult.findFirst({ where: { pipelineId: workflowId, artifact: "Container-Base", check: `ci:${CI_TESTCASE}`, outcome: "MISSING" } })) ?? undefined,
      "the pipeline waiting for CI",
    );
    // CI reports to ResultsDB; ResultsDB announces the result on the bus.
    const reportedAt = Date.now();
    await reportCi(composeId);
    await eventually(async () => {
      const stats = bus.consumer.stats();
      if (stats.deadLettered > 0) throw new Error(`set aside: ${JSON.stringify(stats.deadLetterReasons)} ${bus.logs.join("; ")}`);
      return stats.byFamily["resultsdb.result"] === 1 ? true : undefined;
    }, "the result routed");
    const view = await stageOf(workflowId, "awaiting-signoff");
    // The pipeline asks ResultsDB again only every five minutes on its own.
    expect(Date.now() - reportedAt).toBeLessThan(60_000);
    expect(view.artifacts.find((a) => a.artifact === "Container-Base")?.checks.find((c) => c.check === `ci:${CI_TESTCASE}`)?.outcome).toBe("PASSED");
    const history = await p.env.client.workflow.getHandle(workflowId).fetchHistory();
    const signals = history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === "ciResultReported");
    expect(signals.length).toBeGreaterThanOrEqual(1);
    expect((await finish(workflowId, "approve")).stage).toBe("published");
  }, 240_000);

  it("a new firefox build tagged into the compose tag starts a pipeline for exactly the images containing firefox", async () => {
    const before = (await runs("bus")).length;
    const tasksBefore = await kojiTasks();
    const event = await tagNewBuild("firefox");
    const published = await publishTag(event);
    expect(published[0]!.schema).toBe("koji_fedoramessaging.tag.TagV1");
    const run = await newRun("bus", before);
    expect([...run.artifacts].sort()).toEqual(["Workstation-Live", "Xfce-Live"]);
    const view = await stageOf(run.workflowId, "awaiting-signoff");
    // The plan covers the whole release: the two candidates rebuild, the rest is reused.
    expect(view.plan.map((e) => e.artifact).sort()).toEqual(ALL);
    for (const entry of view.plan) {
      const candidate = entry.artifact === "Workstation-Live" || entry.artifact === "Xfce-Live";
      expect(entry.action, entry.artifact).toBe(candidate ? "rebuild" : "reuse");
      if (candidate) expect(entry.reasons.some((r) => r.kind === "package-changed" && r.to.startsWith("firefox"))).toBe(true);
    }
    expect(await kojiTasks()).toBe(tasksBefore + 2);
    expect((await finish(run.workflowId, "reject")).stage).toBe("rejected");
  }, 240_000);

  it("a package no image contains starts no pipeline", async () => {
    const before = (await runs("bus")).length;
    const trigger = p.env.client.workflow.getHandle(triggerWorkflowId(RELEASE));
    await publishTag(await tagNewBuild("relengotron-test-tool", [{ arch: "noarch", size: 10_000 }]));
    const batch = await eventually(async () => (await trigger.query(triggerQuery)).recent.find((b) => b.packages.includes("relengotron-test-tool")), "the batch");
    const recent = (await trigger.query(triggerQuery)).recent;
    expect(batch, JSON.stringify(recent)).toMatchObject({ packages: ["relengotron-test-tool"], changes: 1, artifacts: [] });
    // The same trigger that started the firefox pipeline.
    expect(recent.some((b) => b.packages.includes("firefox") && b.pipeline !== undefined), JSON.stringify(recent)).toBe(true);
    expect(batch!.pipeline).toBeUndefined();
    expect((await runs("bus")).length).toBe(before);
    // This trigger's history: one batch that started a pipeline, one that started none.
    await recordHistory(trigger, "trigger-batches");
  }, 60_000);

  it("image builds tagged into the compose tag — the pipelines' own and anybody's — are no package change and start nothing", async () => {
    const trigger = p.env.client.workflow.getHandle(triggerWorkflowId(RELEASE));
    const before = { runs: (await runs("bus")).length, received: (await trigger.query(triggerQuery)).received };
    const tags: KojiHubEvent[] = [];
    const off = p.hub.on("buildsys.tag", (e) => void tags.push(e));
    try {
      // Ours: an image a pipeline built, tagged into f46 by its task (no skip_tag), tagged again.
      const ours = (await p.koji.listTagged("f46", { type: "image" })).find((b) => b.name === "Fedora-Workstation-Live");
      expect(ours, "the first pipeline's Workstation image build in f46").toBeDefined();
      p.hub.untagBuild("f46", ours!.build_id);
      p.hub.tagBuild("f46", ours!.build_id);
      // Anybody's: a kiwi build someone submits by hand, imported and tagged by its task.
      const task = await p.koji.kiwiBuild("f46", ["x86_64"], "git+https://pagure.io/fedora-kiwi-descriptions.git#9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d", "Fedora.kiwi", {
        profile: "Cloud-Base-Generic",
        release: "20991231.manual.1",
      });
      await p.koji.waitForTask(task, { pollMs: 50, timeoutMs: 60_000 });
      await eventually(async () => (tags.length >= 2 ? true : undefined), "the two image tag messages");
    } finally {
      off();
    }
    const images = tags.map((e) => String(e.body.name));
    expect(images).toEqual(["Fedora-Workstation-Live", expect.stringMatching(/^Fedora-Cloud-Base-Generic/)]);
    for (const e of tags) expect((await p.koji.getBuildTypes([`${e.body.name}-${e.body.version}-${e.body.release}`]))[0]).toEqual(["image"]);
    // The image tag messages, then a package change as a marker: once its batch fired, the images
    // would have been in it or in an earlier one.
    await publishWithPython(conf, tags.map((e) => ({ schema: "koji_fedoramessaging.tag.TagV1", body: e.body })));
    await publishTag(await tagNewBuild("relengotron-marker", [{ arch: "noarch", size: 10_000 }]));
    const batch = await eventually(async () => (await trigger.query(triggerQuery)).recent.find((b) => b.packages.includes("relengotron-marker")), "the marker's batch");
    const view = await trigger.query(triggerQuery);
    expect(batch).toMatchObject({ packages: ["relengotron-marker"], changes: 1, artifacts: [] });
    expect(view.received).toBe(before.received + 1);
    expect(view.recent.flatMap((b) => b.packages).filter((name) => images.includes(name))).toEqual([]);
    expect((await runs("bus")).length).toBe(before.runs);
    for (const name of images) expect(bus.logs.some((l) => l.includes(`of ${name}-`) && l.includes("is not a package change (Koji build type image)")), name).toBe(true);
  }, 120_000);

  it("the sandbox publishes its own Koji changes; without a broker, through the in-process bus", async () => {
    // As the stack starts it with no AMQP_URL: the in-process bus, publishing for the sandbox.
    const service = await startBus({
      cfg: busConfigSchema.parse({ RELENGOTRON_TRIGGER_QUIET_SECONDS: "2", RELENGOTRON_TOPIC_PREFIX: "org.fedoraproject.prod" }),
      client: p.env.client,
      db: p.database.db,
      koji: p.koji,
      releases: p.releases,
      taskQueue: p.taskQueue,
      publish: true,
    });
    expect(service.kind).toBe("in-process");
    const off = p.hub.on("message", sandboxKojiPublisher(() => service.publisher));
    const before = (await runs("bus")).length;
    try {
      await tagNewBuild("bash");
      const run = await newRun("bus", before);
      // The images whose last build contains a bash RPM, from composedb directly.
      const builds = await p.database.db.artifactBuild.findMany({ where: { state: "SUCCEEDED" }, orderBy: { id: "desc" } });
      const latest = new Map<string, string[]>();
      for (const b of builds) if (!latest.has(b.artifact)) latest.set(b.artifact, b.components);
      const withBash = [...latest].filter(([, components]) => components.some((n) => parseNevra(n).name === "bash")).map(([a]) => a).sort();
      expect(withBash.length).toBeGreaterThan(0);
      expect([...run.artifacts].sort()).toEqual(withBash);
      expect(service.stats()).toMatchObject({ deadLettered: 0 });
      expect(service.stats().routed).toBeGreaterThanOrEqual(1);
      if (run.artifacts.includes("Container-Base")) await reportCi(run.composeId);
      await stageOf(run.workflowId, "awaiting-signoff");
      expect((await finish(run.workflowId, "reject")).stage).toBe("rejected");
    } finally {
      off();
      await service.stop();
    }
  }, 240_000);

  it("the nightly schedule runs a pipeline over every artifact, and a release nothing changed in rebuilds nothing", async () => {
    const ids = await ensureNightlySchedules(p.env.client, { releases: [RELEASE], cron: "0 3 * * *", taskQueue: p.taskQueue });
    expect(ids).toEqual([nightlyScheduleId(RELEASE)]);
    // Created again with another time: updated in place.
    await ensureNightlySchedules(p.env.client, { releases: [RELEASE], cron: "30 2 * * *", taskQueue: p.taskQueue });
    const schedule = p.env.client.schedule.getHandle(nightlyScheduleId(RELEASE));
    const description = await schedule.describe();
    expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 2, end: 2, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
    expect(description.action.workflowType).toBe("nightlyPipeline");

    const before = (await runs("nightly")).length;
    const tasksBefore = await kojiTasks();
    await schedule.trigger();
    const run = await newRun("nightly", before);
    expect(run.artifacts).toEqual([]);
    const view = await stageOf(run.workflowId, "awaiting-signoff");
    expect(view.plan.map((e) => e.artifact).sort()).toEqual(ALL);
    for (const entry of view.plan) expect(entry.action, entry.artifact).toBe("reuse");
    expect(await kojiTasks()).toBe(tasksBefore);
    expect((await finish(run.workflowId, "reject")).stage).toBe("rejected");
    const nightly = (await schedule.describe()).info.recentActions.at(-1)!.action.workflow;
    await recordHistory(p.env.client.workflow.getHandle(nightly.workflowId, nightly.firstExecutionRunId), "nightly-started-pipeline");
    // One pipeline for the one trigger.
    await sleep(1000);
    expect((await runs("nightly")).length).toBe(before + 1);
    await schedule.delete();
  }, 240_000);
});
