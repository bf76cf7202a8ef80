// The bus, end to end on the machine's RabbitMQ, a real Temporal dev server and PostgreSQL:
// how many fedora-messaging tag messages per second the consumer validates, routes and signals
// into the release trigger (each acknowledged only after Temporal has the signal), and how long
// after the last message of a burst the pipeline starts, beside the configured quiet period.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { WorkflowNotFoundError } from "@temporalio/client";
import { TestWorkflowEnvironment } from "@temporalio/testing";
import { bundleWorkflowCode, Worker } from "@temporalio/worker";
import amqp from "amqplib";
import pg from "pg";
import { createTriggerActivities } from "../src/activities/trigger.js";
import { createActionExecutor } from "../src/bus/actions.js";
import { PackageBuildFilter } from "../src/bus/package-builds.js";
import { KojiClient } from "../src/clients/koji.js";
import { KojiHub } from "../src/sandbox/koji-hub.js";
import { AmqpBusConsumer } from "../src/bus/consumer.js";
import { dbDeadLetterSink } from "../src/bus/dead-letters.js";
import { bindingsFor } from "../src/bus/messages/index.js";
import { BusProcessor } from "../src/bus/processor.js";
import { AmqpBusPublisher, SEVERITY, type OutgoingMessage } from "../src/bus/publisher.js";
import { routerContext } from "../src/bus/router.js";
import { config, loadConfig, projectRoot } from "../src/config.js";
import { createDb, databaseUrlFor, resolveDatabaseUrl, type Db } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { ReleaseCatalog } from "../src/releases/catalog.js";
import { installQuietRuntime, workerTuning, workflowsPath } from "../src/runtime/worker.js";
import { resolveTemporalCli } from "../src/temporal/cli-binary.js";
import { searchAttributeKeys } from "../src/temporal/search-attributes.js";
import { triggerWorkflowId } from "../src/workflows/release-trigger.js";
import { formatTable, type Benchmark, type BenchResult } from "./run.js";

const RELEASE = "Fedora-Rawhide";
const BENCH_DATABASE = "relengotron_bench_bus";

export interface BusBenchOptions {
  amqpUrl?: string;
  /** messages pre-loaded into the queue for the throughput measurement */
  messages?: number;
  /** burst size for the latency measurement */
  burst?: number;
  /** quiet periods (seconds) to measure the latency with */
  quietSeconds?: number[];
}

function tagMessage(i: number): OutgoingMessage {
  const name = ["bash", "glibc", "firefox", "kernel", "systemd", "xz"][i % 6]!;
  return {
    topic: "buildsys.tag",
    schema: "koji_fedoramessaging.tag.TagV1",
    schemaPackage: "koji_fedoramessaging_messages",
    severity: SEVERITY.DEBUG,
    priority: 2,
    usernames: ["bodhi", "packager"],
    packages: [name],
    body: { build_id: 900_000 + i, name, tag_id: 1, instance: "primary", tag: "f46", user: "bodhi", version: `1.${i}`, owner: "packager", release: "1.fc46" },
  };
}

async function benchDatabase(log: (line: string) => void): Promise<{ url: string; stop(): Promise<void> }> {
  const server = await resolveDatabaseUrl(config(), log);
  const client = new pg.Client({ connectionString: databaseUrlFor(server.url, "postgres") });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${BENCH_DATABASE}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${BENCH_DATABASE}"`);
  } finally {
    await client.end();
  }
  const url = databaseUrlFor(server.url, BENCH_DATABASE);
  await migrate(url);
  return { url, stop: server.stop };
}

async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function runBusBench(log: (line: string) => void = () => {}, opts: BusBenchOptions = {}): Promise<BenchResult> {
  const amqpUrl = opts.amqpUrl ?? process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
  const messages = opts.messages ?? 3000;
  const burst = opts.burst ?? 200;
  const quiets = opts.quietSeconds ?? [2, 5];
  try {
    await (await amqp.connect(amqpUrl)).close();
  } catch (error) {
    throw new Error(`bus bench: RabbitMQ is not reachable at ${amqpUrl} (${(error as Error).message}); start it with \`rabbitmq-server -detached\` or set AMQP_URL`);
  }
  installQuietRuntime();
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: "existing-path", path: resolveTemporalCli({ install: true }) }, searchAttributes: searchAttributeKeys, log: { format: "pretty", level: "error" } },
  });
  const database = await benchDatabase(log);
  const db: Db = createDb(database.url);
  const releases = ReleaseCatalog.load(path.join(projectRoot, "config", "artifacts"));
  const taskQueue = `bench-bus-${randomBytes(3).toString("hex")}`;
  const queue = `relengotron.bench.${randomBytes(3).toString("hex")}`;
  // amq.topic is shared with whatever else uses the broker: this run binds only its own prefix.
  const topicPrefix = `org.rtbench${randomBytes(3).toString("hex")}.prod`;
  const consumers: AmqpBusConsumer[] = [];
  // Every tag message asks Koji for its build's type (once per NVR): an empty sandbox hub answers.
  const hub = await KojiHub.start({ topDir: fs.mkdtempSync(path.join(os.tmpdir(), "rt-bench-koji-")), log: () => {} });
  const packageBuilds = new PackageBuildFilter(new KojiClient({ url: hub.url }));
  const newConsumer = async (quietSeconds: number) => {
    const consumer = new AmqpBusConsumer({
      url: amqpUrl,
      queue,
      bindings: bindingsFor(topicPrefix),
      processor: new BusProcessor({
        context: routerContext(releases),
        executor: createActionExecutor({ client: env.client, db, taskQueue, trigger: { quietSeconds, maxWaitSeconds: 3600 }, packageBuilds }),
        deadLetters: dbDeadLetterSink(db),
        consumer: queue,
      }),
    });
    await consumer.start();
    consumers.push(consumer);
    return consumer;
  };
  const publisher = await AmqpBusPublisher.connect(amqpUrl, { topicPrefix, connectionName: "relengotron bench publisher" });
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleWorkflowCode({ workflowsPath, logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } }),
      // Pipelines go to a queue no worker serves: only their start is measured.
      activities: createTriggerActivities({ db, client: env.client, releases, cfg: loadConfig({}), taskQueue: `${taskQueue}-pipelines` }),
      ...workerTuning,
    });
    return await worker.runUntil(async () => {
      const rows: string[][] = [];
      const restartTrigger = async () => {
        for (const c of consumers.splice(0)) await c.stop();
        await env.client.workflow
          .getHandle(triggerWorkflowId(RELEASE))
          .terminate("bench: next measurement")
          .catch((e: unknown) => {
            if (!(e instanceof WorkflowNotFoundError)) throw e;
          });
      };

      // Throughput: a queue holding `messages` tag messages, drained by a fresh consumer.
      log(`throughput: pre-loading ${messages} messages`);
      await (await newConsumer(3600)).stop();
      consumers.length = 0;
      await Promise.all(Array.from({ length: messages }, (_, i) => publisher.publish(tagMessage(i))));
      const started = performance.now();
      const consumer = await newConsumer(3600);
      await until(async () => (consumer.stats().acked >= messages ? true : undefined), "the queue drained");
      const seconds = (performance.now() - started) / 1000;
      const stats = consumer.stats();
      if (stats.routed !== messages) throw new Error(`bench: routed ${stats.routed} of ${messages} (${JSON.stringify(stats.deadLetterReasons)})`);
      rows.push(["consumed, validated, routed, signalled, acked", String(messages), `${seconds.toFixed(2)} s`, `${Math.round(messages / seconds)} msg/s`, "-"]);

      // Latency: a burst over one second; last message confirmed -> pipeline workflow started.
      for (const quiet of quiets) {
        await restartTrigger();
        await newConsumer(quiet);
        log(`latency: burst of ${burst} with a ${quiet} s quiet period`);
        const before = await db.pipelineRun.count({ where: { trigger: "bus" } });
        let last = 0;
        for (let i = 0; i < burst; i++) {
          await publisher.publish(tagMessage(messages + i));
          last = Date.now();
          await new Promise((r) => setTimeout(r, 1000 / burst));
        }
        const run = await until(async () => (await db.pipelineRun.findMany({ where: { trigger: "bus" }, orderBy: { id: "asc" } }))[before], "the pipeline");
        const startedAt = (await env.client.workflow.getHandle(run.workflowId).describe()).startTime.getTime();
        rows.push(["last message of a burst -> pipeline started", String(burst), `${((startedAt - last) / 1000).toFixed(2)} s`, "-", `${quiet} s`]);
      }
      await restartTrigger();
      return {
        title: "bus: fedora-messaging on RabbitMQ -> release trigger -> pipeline",
        columns: ["measurement", "messages", "time", "rate", "quiet period"],
        rows,
        notes: [
          `RabbitMQ ${amqpUrl.replace(/\/\/[^@]*@/, "//")}, Temporal dev server, one worker, PostgreSQL; prefetch 200, one signal per up to 200 messages`,
          "a message is acknowledged only once the Signal-With-Start carrying it returned (it is in the trigger's history)",
        ],
      };
    });
  } finally {
    for (const c of consumers) await c.stop();
    await publisher.close();
    await hub.close();
    const c = await amqp.connect(amqpUrl).catch(() => undefined);
    if (c) {
      const ch = await c.createChannel();
      await ch.deleteQueue(queue).catch(() => {});
      await c.close();
    }
    await db.$disconnect();
    await database.stop();
    await env.teardown();
  }
}

const bench: Benchmark = {
  name: "bus",
  description: "bus consumer: messages per second routed into the release trigger, and burst -> pipeline latency against the quiet period",
  run: (log) => runBusBench(log),
};
export default bench;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  runBusBench((line) => console.error(`[bench] bus: ${line}`))
    .then((result) => console.log(`\n${formatTable(result)}\n`))
    .catch((error: unknown) => {
      console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    });
}
