// What the bus tests share: the machine's RabbitMQ (required: tests fail, with how to start it,
// when it is not there), publishing with the real Python fedora-messaging library, the broker's
// view (closing a connection from its side), and a consumer wired like the
// stack wires it, with queue names of its own so test files do not meet.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Client } from "@temporalio/client";
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import { Worker } from "@temporalio/worker";
import amqp from "amqplib";
import { createTriggerActivities } from "../../src/activities/trigger.js";
import { createActionExecutor, type ActionDeps } from "../../src/bus/actions.js";
import { PackageBuildFilter } from "../../src/bus/package-builds.js";
import { KojiClient } from "../../src/clients/koji.js";
import { KojiHub } from "../../src/sandbox/koji-hub.js";
import { AmqpBusConsumer } from "../../src/bus/consumer.js";
import { dbDeadLetterSink } from "../../src/bus/dead-letters.js";
import { bindingsFor } from "../../src/bus/messages/index.js";
import { BusProcessor } from "../../src/bus/processor.js";
import { routerContext } from "../../src/bus/router.js";
import { loadConfig, projectRoot } from "../../src/config.js";
import type { Db } from "../../src/db/database.js";
import type { ReleaseCatalog } from "../../src/releases/catalog.js";
import { workflowBundle } from "./temporal.js";

const run = promisify(execFile);

export const AMQP_URL = process.env.TEST_AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
const PYTHON = path.join(projectRoot, ".venv", "bin", "python");
const PUBLISH_TOOL = path.join(projectRoot, "tools", "publish_messages.py");

/** Fails with how to start RabbitMQ when the broker is not reachable. */
export async function requireRabbitMq(): Promise<void> {
  try {
    const c = await amqp.connect(AMQP_URL);
    await c.close();
  } catch (error) {
    throw new Error(
      `RabbitMQ is not reachable at ${AMQP_URL} (${(error as Error).message}). The bus tests need the machine's broker: ` +
        "start it with `rabbitmq-server -detached` (or set TEST_AMQP_URL).",
    );
  }
}

/**
 * A topic prefix of this test file's own (an environment like org.fedoraproject.prod): amq.topic is
 * shared by everything on the broker, so each test file binds only its own prefix.
 */
export function testTopicPrefix(): string {
  return `org.rttest${randomBytes(4).toString("hex")}.prod`;
}

/**
 * A fedora-messaging configuration file (TOML) for the Python publisher. `tls`: its [tls] section
 * (ca_cert, certfile, keyfile) for an amqps:// URL; with a certificate and key it logs in with SASL
 * EXTERNAL, as it does on Fedora's broker.
 */
export function writeFedoraMessagingConf(dir: string, opts: { topicPrefix: string; amqpUrl?: string; tls?: { caCert: string; certFile?: string; keyFile?: string } }): string {
  const file = path.join(dir, "fedora-messaging.toml");
  const url = new URL(opts.amqpUrl ?? AMQP_URL);
  const vhost = url.pathname && url.pathname !== "/" ? url.pathname : "/%2F";
  const userinfo = url.username ? `${url.username}:${url.password}@` : "";
  const tls = opts.tls
    ? [`[tls]`, `ca_cert = ${JSON.stringify(opts.tls.caCert)}`, ...(opts.tls.certFile ? [`certfile = ${JSON.stringify(opts.tls.certFile)}`] : []), ...(opts.tls.keyFile ? [`keyfile = ${JSON.stringify(opts.tls.keyFile)}`] : [])]
    : [];
  fs.writeFileSync(
    file,
    [
      `amqp_url = "${url.protocol}//${userinfo}${url.host}${vhost}"`,
      `publish_exchange = "amq.topic"`,
      `topic_prefix = "${opts.topicPrefix}"`,
      `[client_properties]`,
      `app = "relengotron tests"`,
      ...tls,
      "",
    ].join("\n"),
  );
  return file;
}

export interface MessageSpec {
  schema: string;
  topic?: string;
  body: unknown;
  id?: string;
  raw?: boolean;
}

export interface Published {
  id: string;
  topic: string;
  schema: string;
  /** when the publisher had the broker's confirmation (ms since the epoch, this process's clock) */
  at: number;
}

/** Publishes with fedora_messaging.api.publish and the real message classes; resolves when all are confirmed. */
export function publishWithPython(conf: string, specs: MessageSpec[], opts: { spreadSeconds?: number } = {}): Promise<Published[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [PUBLISH_TOOL, ...(opts.spreadSeconds ? ["--spread-seconds", String(opts.spreadSeconds)] : [])], {
      env: { ...process.env, FEDORA_MESSAGING_CONF: conf },
      stdio: ["pipe", "pipe", "pipe"],
    });
    const published: Published[] = [];
    let buffer = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) published.push({ ...(JSON.parse(line) as Omit<Published, "at">), at: Date.now() });
      }
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(published) : reject(new Error(`publish_messages.py exited ${code}: ${stderr.slice(-2000)}`))));
    child.stdin.end(specs.map((s) => JSON.stringify(s)).join("\n"));
  });
}

/** A buildsys.tag / buildsys.untag message as Koji's plugin sends it (TagV1/UntagV1). */
export function tagSpec(b: { tag: string; name: string; version: string; release: string; buildId: number; op?: "tag" | "untag"; id?: string }): MessageSpec {
  const op = b.op ?? "tag";
  return {
    schema: op === "tag" ? "koji_fedoramessaging.tag.TagV1" : "koji_fedoramessaging.tag.UntagV1",
    id: b.id,
    body: { build_id: b.buildId, name: b.name, tag_id: 1, instance: "primary", tag: b.tag, user: "bodhi", version: b.version, owner: "packager", release: b.release },
  };
}

/** Closes the broker side of every connection with this client-given name; answers how many. */
export async function closeConnectionsNamed(name: string): Promise<number> {
  const { stdout } = await run("rabbitmqctl", ["-q", "list_connections", "pid", "client_properties"]);
  const pids = stdout
    .split("\n")
    .filter((line) => line.includes(`{"connection_name","${name}"}`))
    .map((line) => line.split("\t")[0]!.trim());
  for (const pid of pids) await run("rabbitmqctl", ["close_connection", pid, "relengotron test: broker-side close"]);
  return pids.length;
}

/** The dead letters a consumer of `queue` set aside, oldest first. */
export function deadLettersOf(db: Db, queue: string) {
  return db.deadLetter.findMany({ where: { consumer: queue }, orderBy: { id: "asc" } });
}

export async function deleteQueues(queues: string[]): Promise<void> {
  const c = await amqp.connect(AMQP_URL);
  try {
    const ch = await c.createChannel();
    for (const q of queues) await ch.deleteQueue(q);
  } finally {
    await c.close();
  }
}

export interface ConsumerHarness {
  consumer: AmqpBusConsumer;
  queue: string;
  connectionName: string;
  /** what the consumer logged, for failure messages */
  logs: string[];
  stop(): Promise<void>;
}

/** A consumer wired as the stack wires it, on queues named for this test file. */
export async function startConsumer(opts: {
  client: Client;
  db: Db;
  releases: ReleaseCatalog;
  /** the worker's task queue (trigger workflows) */
  taskQueue: string;
  trigger: ActionDeps["trigger"];
  queue: string;
  /** bind only these topics under this prefix (testTopicPrefix) */
  topicPrefix: string;
  extraBindings?: string[];
  /** another broker than the machine's (a private one a test restarts) */
  amqpUrl?: string;
  /** the Koji asked for build types; without one, an empty sandbox hub (every build unknown to it) */
  koji?: Pick<KojiClient, "getBuildTypes">;
  /** where dead letters are written; `db` by default */
  deadLetterDb?: Db;
  /** how long a message whose dead letter could not be written is held before going back to the queue */
  deadLetterRetryMs?: number;
}): Promise<ConsumerHarness> {
  const emptyHub = opts.koji ? undefined : await KojiHub.start({ topDir: fs.mkdtempSync(path.join(os.tmpdir(), "rt-bus-koji-")), log: () => {} });
  const koji = opts.koji ?? new KojiClient({ url: emptyHub!.url });
  const connectionName = `relengotron-test-${randomBytes(4).toString("hex")}`;
  const logs: string[] = [];
  const log = (line: string) => void logs.push(`${new Date().toISOString()} ${line}`);
  const consumer = new AmqpBusConsumer({
    url: opts.amqpUrl ?? AMQP_URL,
    queue: opts.queue,
    deadLetterRetryMs: opts.deadLetterRetryMs ?? 200,
    bindings: [...bindingsFor(opts.topicPrefix), ...(opts.extraBindings ?? [])],
    connectionName,
    reconnect: { initialMs: 100, maxMs: 2000 },
    log,
    processor: new BusProcessor({
      context: routerContext(opts.releases),
      executor: createActionExecutor({ client: opts.client, db: opts.db, taskQueue: opts.taskQueue, trigger: opts.trigger, packageBuilds: new PackageBuildFilter(koji), log }),
      deadLetters: dbDeadLetterSink(opts.deadLetterDb ?? opts.db),
      consumer: opts.queue,
      backoff: { initialMs: 100, maxMs: 2000 },
      log,
    }),
  });
  await consumer.start();
  const stop = async () => {
    await consumer.stop();
    await emptyHub?.close();
  };
  return { consumer, queue: opts.queue, connectionName, logs, stop };
}

/** A worker running the trigger and nightly workflows; pipelines it starts go to `pipelineTaskQueue`. */
export async function triggerWorker(opts: { env: TestWorkflowEnvironment; db: Db; releases: ReleaseCatalog; taskQueue: string; pipelineTaskQueue: string }): Promise<Worker> {
  return Worker.create({
    connection: opts.env.nativeConnection,
    taskQueue: opts.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: createTriggerActivities({ db: opts.db, client: opts.env.client, releases: opts.releases, cfg: loadConfig({}), taskQueue: opts.pipelineTaskQueue }),
  });
}

/** A unique name for this test file's queues. */
export function testQueueName(file: string): string {
  return `relengotron.test.${path.basename(file).replace(/\W+/g, "-")}.${randomBytes(3).toString("hex")}`;
}
