// The bus consumer against the machine's RabbitMQ, with messages published by the real Python
// fedora-messaging library and its real message classes, a real Temporal dev server and real
// PostgreSQL. Pipelines the trigger starts go to a task queue no worker serves: what is checked
// here is which pipelines start, when, and with which artifacts (bus-pipeline.test.ts runs them).
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { WorkflowNotFoundError } from "@temporalio/client";
import { Worker } from "@temporalio/worker";
import { MockActivityEnvironment } from "@temporalio/testing";
import { createTriggerActivities } from "../../src/activities/trigger.js";
import { allocatePipelineRun } from "../../src/pipelines/service.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BusProcessor } from "../../src/bus/processor.js";
import { createBusProcessor } from "../../src/bus/service.js";
import { InProcessBus } from "../../src/bus/in-process.js";
import { dbDeadLetterSink, replayDeadLetter } from "../../src/bus/dead-letters.js";
import { routerContext } from "../../src/bus/router.js";
import { createDb } from "../../src/db/database.js";
import { KojiHub } from "../../src/sandbox/koji-hub.js";

const execFileAsync = promisify(execFile);
import { loadConfig, projectRoot } from "../../src/config.js";
import { ReleaseCatalog } from "../../src/releases/catalog.js";
import { installQuietRuntime } from "../../src/runtime/worker.js";
import { ReleaseKey } from "../../src/temporal/search-attributes.js";
import { triggerQuery, triggerWorkflowId, type TriggerView } from "../../src/workflows/release-trigger.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { eventually } from "../support/pipeline-env.js";
import { startTemporal, workflowBundle } from "../support/temporal.js";
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import { recordHistory } from "../support/histories.js";
import {
  closeConnectionsNamed,
  deleteQueues,
  deadLettersOf,
  publishWithPython,
  requireRabbitMq,
  startConsumer,
  tagSpec,
  testQueueName,
  testTopicPrefix,
  triggerWorker,
  writeFedoraMessagingConf,
  type ConsumerHarness,
} from "../support/bus-env.js";

const RELEASE = "Fedora-Rawhide";
const ALL = ["Cloud-Base-Generic", "Container-Base", "Server-boot", "Workstation-Live", "Xfce-Live"];
const QUIET_SECONDS = 3;
const PACKAGES = ["bash", "glibc", "firefox", "kernel", "systemd", "xz", "zlib-ng", "tzdata", "ncurses", "readline", "filesystem"];

describe("bus consumer", () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let releases: ReleaseCatalog;
  let worker: Worker;
  let workerRun: Promise<void>;
  let bus: ConsumerHarness;
  let conf: string;
  let dir: string;
  const queue = testQueueName(import.meta.url);
  const otherQueues: string[] = [];
  const prefix = testTopicPrefix();
  const taskQueue = `bus-consumer-${randomUUID().slice(0, 8)}`;
  const pipelineTaskQueue = `${taskQueue}-pipelines`;
  let nextBuildId = 500_000;

  const startWorker = async () => {
    worker = await triggerWorker({ env, db: database.db, releases, taskQueue, pipelineTaskQueue });
    workerRun = worker.run();
  };
  const consumer = (trigger: { quietSeconds: number; maxWaitSeconds: number; historyLimit?: number }) =>
    startConsumer({ client: env.client, db: database.db, releases, taskQueue, trigger, queue, topicPrefix: prefix, extraBindings: [`${prefix}.relengotron.test.#`] });
  const view = (): Promise<TriggerView> =>
    env.client.workflow
      .getHandle(triggerWorkflowId(RELEASE))
      .query(triggerQuery)
      .catch((error: unknown) => {
        // Not started yet: the first message starts it.
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        return { release: RELEASE, pending: 0, pendingPackages: [], firesAt: null, received: 0, duplicates: 0, batches: 0, recent: [] };
      });
  const busRuns = () => database.db.pipelineRun.findMany({ where: { trigger: "bus" }, orderBy: { id: "asc" } });
  const tags = (n: number, opts: { name?: (i: number) => string } = {}) =>
    Array.from({ length: n }, (_, i) => {
      const id = nextBuildId++;
      return tagSpec({ tag: "f46", name: opts.name?.(i) ?? PACKAGES[i % PACKAGES.length]!, version: `1.${id}`, release: "1.fc46", buildId: id, id: randomUUID() });
    });
  /** Waits for the pipelines after `before`, then long enough that another would have started. */
  const pipelinesAfter = async (before: number, expected = 1) => {
    await eventually(async () => ((await busRuns()).length >= before + expected ? true : undefined), `${expected} new pipeline(s)`, 60_000);
    await sleep((QUIET_SECONDS + 2) * 1000);
    return (await busRuns()).slice(before);
  };

  beforeAll(async () => {
    await requireRabbitMq();
    installQuietRuntime();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-bus-"));
    conf = writeFedoraMessagingConf(dir, { topicPrefix: prefix });
    [env, database] = await Promise.all([startTemporal(), createTestDatabase()]);
    releases = ReleaseCatalog.load(path.join(projectRoot, "config", "artifacts"));
    await startWorker();
    bus = await consumer({ quietSeconds: QUIET_SECONDS, maxWaitSeconds: 120 });
  });

  afterAll(async () => {
    await bus?.stop();
    if (worker) {
      worker.shutdown();
      await workerRun;
    }
    await deleteQueues([queue, ...otherQueues]).catch(() => {});
    await database?.drop();
    await env?.teardown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("starting a pipeline is idempotent: a retried attempt never allocates a second compose id", async () => {
    const acts = createTriggerActivities({ db: database.db, client: env.client, releases, cfg: loadConfig({}), taskQueue: pipelineTaskQueue });
    const nightlyRuns = () => database.db.pipelineRun.count({ where: { trigger: "nightly" } });
    type Input = Parameters<typeof acts.startTriggeredPipeline>[0];
    // Temporal's activity context, with the attempt number a retry would have.
    const start = (attempt: number, input: Input) => new MockActivityEnvironment({ attempt }).run(acts.startTriggeredPipeline, input) as ReturnType<typeof acts.startTriggeredPipeline>;
    const input: Input = { release: RELEASE, trigger: "nightly", artifacts: ["Server-boot"], key: `test/${randomUUID()}` };
    const first = await start(1, input);
    const retried = await start(2, input);
    expect(retried).toEqual(first);
    expect(await nightlyRuns()).toBe(1);
    const started = await env.client.workflow.getHandle(first.workflowId).describe();
    expect(started.memo?.triggerKey).toBe(input.key);

    // An attempt that allocated a compose id and died before starting the pipeline: its retry starts that one.
    const second = { ...input, artifacts: ["Xfce-Live"], key: `test/${randomUUID()}` };
    const orphan = await allocatePipelineRun(database.db, releases, { release: RELEASE, trigger: "nightly", artifacts: ["Xfce-Live"], triggerKey: second.key });
    expect(await start(3, second)).toEqual(orphan);
    expect((await env.client.workflow.getHandle(orphan.workflowId).describe()).memo?.triggerKey).toBe(second.key);
    expect(await nightlyRuns()).toBe(2);

    // Another batch (another key): a compose id of its own.
    const third = await start(1, { ...input, key: `test/${randomUUID()}` });
    expect(new Set([first.composeId, orphan.composeId, third.composeId]).size).toBe(3);
    expect(await nightlyRuns()).toBe(3);
  });

  it("a burst of 500 tag messages in half a minute starts one pipeline, a quiet period after the last", async () => {
    const runsBefore = (await busRuns()).length;
    const stats = bus.consumer.stats();
    const specs = tags(500);
    const published = await publishWithPython(conf, specs, { spreadSeconds: 30 });
    expect(published).toHaveLength(500);
    expect(published[0]!.schema).toBe("koji_fedoramessaging.tag.TagV1");
    expect(published[0]!.topic).toBe("buildsys.tag");
    const lastSent = published.at(-1)!.at;
    expect(lastSent - published[0]!.at).toBeGreaterThan(25_000);

    const runs = await pipelinesAfter(runsBefore);
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    // Nothing was ever built in this database: every artifact may contain the changed packages.
    expect([...run.artifacts].sort()).toEqual(ALL);
    const pipeline = await env.client.workflow.getHandle(run.workflowId).describe();
    expect(pipeline.typedSearchAttributes.get(ReleaseKey)).toBe(RELEASE);
    const delay = pipeline.startTime.getTime() - lastSent;
    expect(delay).toBeGreaterThanOrEqual(QUIET_SECONDS * 1000 - 250);
    expect(delay).toBeLessThan(QUIET_SECONDS * 1000 + 5000);

    const v = await view();
    expect(v.received).toBe(500);
    expect(v.duplicates).toBe(0);
    expect(v.pending).toBe(0);
    const batch = v.recent.at(-1)!;
    expect(batch.changes).toBe(500);
    expect(batch.packages).toEqual([...PACKAGES].sort());
    expect(batch.pipeline).toEqual({ workflowId: run.workflowId, composeId: run.composeId });
    const after = bus.consumer.stats();
    expect(after.routed - stats.routed).toBe(500);
    expect(after.acked - stats.acked).toBe(500);
    expect(after.deadLettered).toBe(stats.deadLettered);
  }, 150_000);

  it("duplicate and out-of-order messages: a message id counts once, also after its batch fired", async () => {
    const runsBefore = (await busRuns()).length;
    const before = await view();
    const [untagX, tagX, tagY] = [
      tagSpec({ tag: "f46", name: "firefox", version: "140.0", release: "1.fc46", buildId: nextBuildId, op: "untag", id: randomUUID() }),
      tagSpec({ tag: "f46", name: "firefox", version: "140.0", release: "1.fc46", buildId: nextBuildId, id: randomUUID() }),
      tagSpec({ tag: "f46", name: "kernel", version: "6.13.0", release: "1.fc46", buildId: nextBuildId + 1, id: randomUUID() }),
    ];
    nextBuildId += 2;
    // The untag arrives before the tag it undoes, and the tag is delivered twice.
    await publishWithPython(conf, [untagX!, tagX!, tagY!, tagX!]);
    const runs = await pipelinesAfter(runsBefore);
    expect(runs).toHaveLength(1);
    let v = await view();
    expect(v.received - before.received).toBe(4);
    expect(v.duplicates - before.duplicates).toBe(1);
    expect(v.recent.at(-1)).toMatchObject({ changes: 3, packages: ["firefox", "kernel"], artifacts: ALL });

    // The same message once more, long after: no new pipeline.
    await publishWithPython(conf, [tagY!]);
    await eventually(async () => ((await view()).received - before.received === 5 ? true : undefined), "the redelivered message");
    await sleep((QUIET_SECONDS + 2) * 1000);
    v = await view();
    expect(v.duplicates - before.duplicates).toBe(2);
    expect(v.batches).toBe(before.batches + 1);
    expect((await busRuns()).length).toBe(runsBefore + 1);
  }, 90_000);

  it("sets malformed and unknown messages aside with their reason, counts them, and carries on", async () => {
    const stats = bus.consumer.stats();
    const before = await view();
    const runsBefore = (await busRuns()).length;
    const oldBuildState = JSON.parse(fs.readFileSync(path.join(projectRoot, "test", "fixtures", "fedora", "messages", "buildsys.build.state.change-1.json"), "utf8")).body;
    const bodhi = JSON.parse(fs.readFileSync(path.join(projectRoot, "test", "fixtures", "fedora", "messages", "bodhi.update.complete.stable-1.json"), "utf8")).body;
    const bad = [
      { spec: { schema: "koji_fedoramessaging.tag.TagV1", topic: "buildsys.tag", body: '{"name": "bash", "tag": "f46"', raw: true, id: randomUUID() }, reason: /^body is not JSON/ },
      { spec: { schema: "koji_fedoramessaging.tag.TagV1", topic: "buildsys.tag", body: JSON.stringify({ tag: "f46", version: "1", release: "1" }), raw: true, id: randomUUID() }, reason: /^body does not match the buildsys.tag schema: name: / },
      {
        spec: { schema: "koji_fedoramessaging.build.BuildStateChangeV1", topic: "buildsys.build.state.change", body: JSON.stringify(oldBuildState), raw: true, id: randomUUID() },
        reason: /^body does not match the buildsys.build.state.change schema: epoch: /,
      },
      { spec: { schema: "base.message", topic: "relengotron.test.unknown", body: { hello: "world" }, id: randomUUID() }, reason: new RegExp(`^unknown topic ${prefix.replaceAll(".", "\\.")}\\.relengotron\\.test\\.unknown$`) },
      // A real Bodhi message class, sent on a Koji topic.
      { spec: { schema: "bodhi.update.complete.stable.v1", topic: "buildsys.tag", body: bodhi, id: randomUUID() }, reason: /^schema bodhi\.update\.complete\.stable\.v1 does not match topic buildsys\.tag/ },
    ];
    const good = tags(1, { name: () => "systemd" });
    const published = await publishWithPython(conf, [...bad.map((b) => b.spec), ...good]);
    expect(published).toHaveLength(bad.length + 1);

    await eventually(async () => (bus.consumer.stats().deadLettered - stats.deadLettered === bad.length ? true : undefined), "dead letters");
    const ids = new Set<string>(bad.map((b) => b.spec.id));
    const letters = (await deadLettersOf(database.db, queue)).filter((l) => l.messageId !== null && ids.has(l.messageId));
    expect(letters).toHaveLength(bad.length);
    for (const { spec, reason } of bad) {
      const letter = letters.find((l) => l.messageId === spec.id);
      expect(letter, spec.id).toBeDefined();
      expect(letter!.reason).toMatch(reason);
      expect(letter!.topic).toBe(`${prefix}.${spec.topic}`);
      expect(letter!.consumer).toBe(queue);
      expect(letter!.receivedAt.getTime()).toBeLessThanOrEqual(letter!.setAsideAt.getTime());
      // The original message, untouched: its exact body and fedora-messaging's headers.
      expect(letter!.bodyEncoding).toBe("utf8");
      if (typeof spec.body === "string") expect(letter!.body).toBe(spec.body);
      else expect(JSON.parse(letter!.body)).toEqual(spec.body);
      expect(letter!.size).toBe(Buffer.byteLength(letter!.body));
      expect((letter!.headers as Record<string, unknown>).fedora_messaging_schema).toBe(spec.schema);
    }
    const after = bus.consumer.stats();
    expect(after.deadLettered - stats.deadLettered).toBe(bad.length);
    expect(after.acked - stats.acked).toBe(bad.length + 1);
    // The valid message after them went through.
    await pipelinesAfter(runsBefore);
    const v = await view();
    expect(v.received - before.received).toBe(1);
    expect(v.recent.at(-1)!.packages).toEqual(["systemd"]);
  }, 90_000);

  it("a dead letter is acked only once its row is written: with the database unreachable it comes back until the row is there", async () => {
    // composedb for dead letters through a proxy the test cuts and restores.
    const target = new URL(database.url);
    const sockets = new Set<net.Socket>();
    let up = false;
    const proxy = net.createServer((client) => {
      if (!up) return void client.destroy();
      const server = net.connect(Number(target.port || 5432), target.hostname);
      for (const s of [client, server]) {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
        s.on("error", () => {});
      }
      client.pipe(server).pipe(client);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const proxied = new URL(database.url);
    proxied.hostname = "127.0.0.1";
    proxied.port = String((proxy.address() as net.AddressInfo).port);
    const deadLetterDb = createDb(proxied.toString());
    const laneQueue = testQueueName(import.meta.url);
    otherQueues.push(laneQueue);
    const lanePrefix = testTopicPrefix();
    const laneConf = writeFedoraMessagingConf(fs.mkdtempSync(path.join(dir, "lane-")), { topicPrefix: lanePrefix });
    const lane = await startConsumer({ client: env.client, db: database.db, deadLetterDb, deadLetterRetryMs: 300, releases, taskQueue, trigger: { quietSeconds: QUIET_SECONDS, maxWaitSeconds: 120 }, queue: laneQueue, topicPrefix: lanePrefix });
    try {
      const body = '{"tag": "f46", "name": "bash", "version": "1"'; // not JSON
      const id = randomUUID();
      await publishWithPython(laneConf, [{ schema: "koji_fedoramessaging.tag.TagV1", topic: "buildsys.tag", body, raw: true, id }]);
      // Written and failed, returned to the queue, delivered again and failed again: never acked.
      await eventually(async () => (lane.consumer.stats().deadLetterWriteFailures >= 2 && lane.consumer.stats().redelivered >= 1 ? true : undefined), "two failed writes and a redelivery", 30_000);
      expect(lane.consumer.stats()).toMatchObject({ acked: 0, deadLettered: 0 });
      expect(await deadLettersOf(database.db, laneQueue)).toHaveLength(0);

      up = true;
      const rows = await eventually(async () => {
        const got = await deadLettersOf(database.db, laneQueue);
        return got.length ? got : undefined;
      }, "the dead letter once the database is back", 30_000);
      await eventually(async () => (lane.consumer.stats().acked === 1 ? true : undefined), "the ack");
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ messageId: id, body, bodyEncoding: "utf8", topic: `${lanePrefix}.buildsys.tag` });
      expect(rows[0]!.reason).toMatch(/^body is not JSON/);
      expect(lane.consumer.stats()).toMatchObject({ deadLettered: 1, acked: 1, inFlight: 0 });
    } finally {
      await lane.stop();
      await deadLetterDb.$disconnect();
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    }
  }, 90_000);

  /** The command line against this test's database, Temporal and an empty sandbox Koji (every build unknown: a package change). */
  const relengotron = async (...args: string[]): Promise<string> => {
    const hub = await KojiHub.start({ topDir: fs.mkdtempSync(path.join(dir, "koji-")), log: () => {} });
    try {
      const { stdout } = await execFileAsync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
        cwd: projectRoot,
        env: { ...process.env, DATABASE_URL: database.url, TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: taskQueue, KOJI_URL: hub.url, KOJI_TOPURL: hub.topurl, RELENGOTRON_TRIGGER_QUIET_SECONDS: String(QUIET_SECONDS) },
      });
      return stdout;
    } finally {
      await hub.close();
    }
  };

  it("dead-letters --replay: a message set aside for a condition since fixed goes through the same processor and is marked replayed", async () => {
    const before = await view();
    const runsBefore = (await busRuns()).length;
    const koji = { getBuildTypes: async (builds: readonly unknown[]) => builds.map(() => ["rpm"]) };
    // The condition: the trigger refused every change (not a failure worth retrying).
    const broken = new BusProcessor({
      context: routerContext(releases),
      executor: { execute: async () => Promise.reject(new Error("trigger refused the change: release not configured yet")) },
      deadLetters: dbDeadLetterSink(database.db),
      consumer: "in-process",
      backoff: { initialMs: 10, maxMs: 10 },
    });
    const bus = new InProcessBus({ processor: broken });
    const id = await bus.publish({ topic: "buildsys.tag", schema: "koji_fedoramessaging.tag.TagV1", body: { build_id: nextBuildId++, name: "xz", tag_id: 1, instance: "primary", tag: "f46", user: "bodhi", version: "5.8", owner: "packager", release: "1.fc46" } });
    const row = await database.db.deadLetter.findFirstOrThrow({ where: { messageId: id } });
    expect(row.consumer).toBe("in-process");
    expect(row.reason).toMatch(/^could not be processed \(buildsys\.tag\): trigger refused the change/);

    // Replayed while the condition holds: set aside again, with the new reason; not marked.
    const failing = new BusProcessor({ context: routerContext(releases), executor: { execute: async () => Promise.reject(new Error("still refused")) }, deadLetters: dbDeadLetterSink(database.db), consumer: "replay", backoff: { initialMs: 10, maxMs: 10 } });
    expect(await replayDeadLetter(database.db, row.id, failing, "tester")).toMatchObject({ status: "failed", reason: "could not be processed (buildsys.tag): still refused" });
    expect(await database.db.deadLetter.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ reason: "could not be processed (buildsys.tag): still refused", replayedAt: null, replays: 1 });

    // Listed by the command, newest first.
    const listed = JSON.parse(await relengotron("dead-letters", "--json", "--limit", "1")) as { id: number; topic: string; reason: string; size: number }[];
    expect(listed).toEqual([expect.objectContaining({ id: row.id, topic: "buildsys.tag", reason: "could not be processed (buildsys.tag): still refused", size: row.size })]);

    // Fixed: `dead-letters --replay` (the bus's processor, createBusProcessor, against this Temporal) accepts it; the row stays, marked.
    const result = JSON.parse(await relengotron("dead-letters", "--json", "--replay", String(row.id), "--actor", "tester")) as unknown;
    expect(result).toMatchObject({ id: row.id, status: "replayed", replayedBy: "tester", outcome: { status: "routed", family: "koji.tag", actions: 1 } });
    const marked = await database.db.deadLetter.findUniqueOrThrow({ where: { id: row.id } });
    expect(marked).toMatchObject({ replayedBy: "tester", replays: 2 });
    expect(marked.replayedAt).not.toBeNull();
    // The change reached the trigger, whose batch starts a pipeline for it.
    const runs = await pipelinesAfter(runsBefore);
    expect(runs).toHaveLength(1);
    const v = await view();
    expect(v.received - before.received).toBe(1);
    expect(v.recent.at(-1)!.packages).toEqual(["xz"]);
    // Once replayed, not again.
    const fixed = createBusProcessor({ cfg: loadConfig({}), client: env.client, db: database.db, koji, releases, taskQueue, consumer: "replay" });
    expect(await replayDeadLetter(database.db, row.id, fixed, "someone else")).toMatchObject({ status: "already-replayed", replayedBy: "tester" });
  }, 60_000);

  it("records Bodhi pushes and Pungi compose statuses in composedb, once however often they come", async () => {
    const stats = bus.consumer.stats();
    const bodhi = JSON.parse(fs.readFileSync(path.join(projectRoot, "test", "fixtures", "fedora", "messages", "bodhi.update.complete.stable-1.json"), "utf8")).body;
    const second = { ...bodhi, update: { ...bodhi.update, alias: "FEDORA-2019-0123456789", builds: [{ nvr: "texworks-0.6.3-1.fc29" }, { nvr: "python3-3.7.4-1.fc29" }] } };
    const bodhiId = randomUUID();
    const pushes = await publishWithPython(conf, [
      { schema: "bodhi.update.complete.stable.v1", body: bodhi, id: bodhiId },
      { schema: "bodhi.update.complete.stable.v1", body: bodhi, id: bodhiId },
      { schema: "bodhi.update.complete.stable.v1", body: second, id: randomUUID() },
    ]);

    // A compose Pungi is working on, then finished, then a late "started" for it; and one nobody can read.
    const composeDir = path.join(dir, "compose");
    execFileSync(path.join(projectRoot, ".venv", "bin", "python"), [
      path.join(projectRoot, "tools", "productmd_tool.py"), "generate", composeDir,
      "--compose-id", "Fedora-Rawhide-20261203.n.0", "--date", "20261203", "--sources", "12", "--variants", "Everything,Workstation", "--arches", "x86_64",
    ]);
    const status = (s: string, compose = "Fedora-Rawhide-20261203.n.0", location = composeDir) => ({ schema: "base.message", topic: "pungi.compose.status.change", body: { compose_id: compose, location, status: s } });
    await publishWithPython(conf, [status("STARTED")]);
    await eventually(async () => (bus.consumer.stats().acked - stats.acked === 4 ? true : undefined), "4 messages");
    expect(await database.db.compose.findUnique({ where: { composeId: "Fedora-Rawhide-20261203.n.0" } })).toBeNull();
    await publishWithPython(conf, [status("FINISHED"), status("STARTED"), status("TERMINATED", "Fedora-Rawhide-20261204.n.0", "http://127.0.0.1:9/nowhere")]);
    await eventually(async () => (bus.consumer.stats().acked - stats.acked === 7 ? true : undefined), "7 messages");

    const push = await database.db.updatesPush.findMany({ include: { release: true } });
    const day = new Date(pushes[0]!.at).toISOString().slice(0, 10).replaceAll("-", "");
    expect(push).toHaveLength(1);
    expect(push[0]).toMatchObject({
      pushKey: `Fedora-29-updates-${day}`,
      request: "stable",
      updates: ["FEDORA-2019-0123456789", "FEDORA-2019-d64d0caab3"],
      builds: ["golang-github-SAP-go-hdb-0.14.1-1.fc29", "python3-3.7.4-1.fc29", "texworks-0.6.3-1.fc29"],
      agent: "mohanboddu",
    });
    expect(push[0]!.release.name).toBe("Fedora-29");

    const compose = await database.db.compose.findUniqueOrThrow({ where: { composeId: "Fedora-Rawhide-20261203.n.0" }, include: { variants: true } });
    expect(compose.status).toBe("FINISHED");
    expect(compose.variants.map((v) => v.uid).sort()).toEqual(["Everything", "Workstation"]);
    expect(await database.db.compose.count({ where: { composeId: "Fedora-Rawhide-20261204.n.0" } })).toBe(0);
    expect(bus.consumer.stats().deadLettered).toBe(stats.deadLettered);
  }, 90_000);

  it("loses nothing when the broker closes the consumer's connection mid-stream", async () => {
    const runsBefore = (await busRuns()).length;
    const before = await view();
    const stats = bus.consumer.stats();
    const specs = tags(300);
    const publishing = publishWithPython(conf, specs, { spreadSeconds: 8 });
    for (let i = 0; i < 3; i++) {
      await sleep(2000);
      expect(await closeConnectionsNamed(bus.connectionName)).toBe(1);
    }
    expect(await publishing).toHaveLength(300);
    // Every message arrives; what was in flight when a connection closed is delivered again and
    // recognised as a duplicate.
    await eventually(async () => {
      const v = await view();
      return v.received - v.duplicates - (before.received - before.duplicates) === 300 ? v : undefined;
    }, "all 300 messages", 60_000);
    // The last close may come after the last message: the consumer still reconnects, once per close.
    await eventually(async () => (bus.consumer.stats().connected ? true : undefined), "the consumer reconnected", 10_000);
    expect(bus.consumer.stats().reconnects - stats.reconnects, bus.logs.join("\n")).toBe(3);
    const runs = await pipelinesAfter(runsBefore);
    expect(runs).toHaveLength(1);
    expect((await view()).recent.at(-1)!.changes).toBe(300);
  }, 120_000);

  it("a worker restarting mid-debounce: the pipeline starts once, when a worker is back", async () => {
    const runsBefore = (await busRuns()).length;
    const before = await view();
    await publishWithPython(conf, tags(20), { spreadSeconds: 1 });
    await eventually(async () => ((await view()).pending === 20 ? true : undefined), "20 pending changes");
    worker.shutdown();
    await workerRun;
    // Twice the quiet period without a worker: the timer fires on the server, nothing can act on it.
    await sleep(2 * QUIET_SECONDS * 1000);
    expect((await busRuns()).length).toBe(runsBefore);
    await startWorker();
    const runs = await pipelinesAfter(runsBefore);
    expect(runs).toHaveLength(1);
    const v = await view();
    expect(v.batches).toBe(before.batches + 1);
    expect(v.recent.at(-1)!.changes).toBe(20);
  }, 90_000);

  it("continues as new to bound its history, keeping pending changes and the ids it has seen", async () => {
    // A fresh trigger that continues as new every few dozen events.
    await bus.stop();
    await env.client.workflow.getHandle(triggerWorkflowId(RELEASE)).terminate("test: restart with a small history limit");
    bus = await consumer({ quietSeconds: QUIET_SECONDS, maxWaitSeconds: 120, historyLimit: 40 });
    const runsBefore = (await busRuns()).length;
    const specs = tags(60);
    await publishWithPython(conf, specs, { spreadSeconds: 6 });
    const runs = await pipelinesAfter(runsBefore);
    expect(runs).toHaveLength(1);
    let v: TriggerView = await view();
    expect(v).toMatchObject({ received: 60, duplicates: 0, batches: 1 });
    expect(v.recent[0]!.changes).toBe(60);

    const handle = env.client.workflow.getHandle(triggerWorkflowId(RELEASE));
    const description = await handle.describe();
    const chain = await eventually(async () => {
      const runs = [];
      for await (const wf of env.client.workflow.list({ query: `WorkflowId = '${triggerWorkflowId(RELEASE)}' AND StartTime >= '${new Date(Date.now() - 120_000).toISOString()}'` })) runs.push(wf);
      return runs.filter((r) => r.status.name === "CONTINUED_AS_NEW").length >= 2 ? runs : undefined;
    }, "continued-as-new runs");
    expect(chain.some((r) => r.runId === description.runId && r.status.name === "RUNNING")).toBe(true);
    const history = await handle.fetchHistory();
    expect(history.events!.length).toBeLessThan(60);
    // Every run of the chain replays against the workflow code: it is deterministic.
    for (const r of chain) {
      const runHistory = await env.client.workflow.getHandle(triggerWorkflowId(RELEASE), r.runId).fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, runHistory, `${r.workflowId}/${r.runId}`);
    }
    const continued = chain.find((r) => r.status.name === "CONTINUED_AS_NEW")!;
    await recordHistory(env.client.workflow.getHandle(triggerWorkflowId(RELEASE), continued.runId), "trigger-continued-as-new");

    // A message from before the continue-as-new, delivered again: recognised.
    await publishWithPython(conf, [specs[0]!]);
    await eventually(async () => ((await view()).received === 61 ? true : undefined), "the redelivered message");
    await sleep((QUIET_SECONDS + 2) * 1000);
    v = await view();
    expect(v.duplicates).toBe(1);
    expect((await busRuns()).length).toBe(runsBefore + 1);
  }, 120_000);
});
