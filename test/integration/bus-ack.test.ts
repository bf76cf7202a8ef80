// When the consumer acknowledges, against the machine's RabbitMQ and a real Temporal dev server: a
// trigger message whose Signal-With-Start has not returned is still the broker's. A consumer closed
// at that moment must leave it unacknowledged, so the next consumer gets it and the release's
// trigger counts it exactly once; an early ack would lose the change for good.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Client, Connection, ServiceError, WorkflowNotFoundError } from "@temporalio/client";
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import type { Worker } from "@temporalio/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createActionExecutor, type ActionExecutor } from "../../src/bus/actions.js";
import { AmqpBusConsumer } from "../../src/bus/consumer.js";
import { dbDeadLetterSink } from "../../src/bus/dead-letters.js";
import { bindingsFor } from "../../src/bus/messages/index.js";
import { BusProcessor } from "../../src/bus/processor.js";
import { routerContext, type BusAction } from "../../src/bus/router.js";
import { projectRoot } from "../../src/config.js";
import type { PackageChange } from "../../src/domain/debounce.js";
import { ReleaseCatalog } from "../../src/releases/catalog.js";
import { installQuietRuntime } from "../../src/runtime/worker.js";
import { triggerQuery, triggerWorkflowId, type TriggerView } from "../../src/workflows/release-trigger.js";
import {
  AMQP_URL,
  deleteQueues,
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
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { eventually } from "../support/pipeline-env.js";
import { startTemporal } from "../support/temporal.js";

const run = promisify(execFile);
const RELEASE = "Fedora-Rawhide";
// Long enough that no batch fires during a test: what is counted here is what the trigger received.
const TRIGGER = { quietSeconds: 600, maxWaitSeconds: 3600 };

/** The broker's own view of a queue: ready, and delivered but not yet acknowledged. */
async function queueCounts(queue: string): Promise<{ ready: number; unacked: number }> {
  const { stdout } = await run("rabbitmqctl", ["-q", "list_queues", "name", "messages_ready", "messages_unacknowledged"]);
  const row = stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .find((cols) => cols[0] === queue);
  if (!row) throw new Error(`rabbitmqctl does not list queue ${queue}:\n${stdout}`);
  return { ready: Number(row[1]), unacked: Number(row[2]) };
}

/** An address where nothing listens: Temporal unreachable. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The gRPC failure the Temporal client reports when the server is gone (UNAVAILABLE). */
function temporalUnavailable(): ServiceError {
  return new ServiceError("Failed to signalWithStart Workflow", { cause: Object.assign(new Error("14 UNAVAILABLE: No connection established"), { code: 14 }) });
}

describe("bus acknowledgements", () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let releases: ReleaseCatalog;
  let worker: Worker;
  let workerRun: Promise<void>;
  let dir: string;
  const taskQueue = `bus-ack-${randomUUID().slice(0, 8)}`;
  let nextBuildId = 700_000;
  // Run in afterAll even when a test fails halfway: a consumer stuck on a held call never stops.
  const cleanups: (() => Promise<void>)[] = [];
  const queues: string[] = [];

  /**
   * A queue and topic prefix of the test's own: a consumer a failed test left holding a message
   * must not take the next test's.
   */
  const lane = () => {
    const queue = testQueueName(import.meta.url);
    const prefix = testTopicPrefix();
    queues.push(queue);
    const laneDir = fs.mkdtempSync(path.join(dir, "lane-"));
    return { queue, prefix, conf: writeFedoraMessagingConf(laneDir, { topicPrefix: prefix }) };
  };
  type Lane = ReturnType<typeof lane>;

  /** A consumer as the stack wires it, except for the executor the test chooses. */
  const consumerWith = async ({ queue, prefix }: Lane, executor: ActionExecutor, name: string) => {
    const logs: string[] = [];
    const log = (line: string) => void logs.push(`${new Date().toISOString()} ${line}`);
    const consumer = new AmqpBusConsumer({
      url: AMQP_URL,
      queue,
      bindings: bindingsFor(prefix),
      connectionName: `relengotron-test-${name}-${randomUUID().slice(0, 8)}`,
      reconnect: { initialMs: 100, maxMs: 2000 },
      log,
      processor: new BusProcessor({ context: routerContext(releases), executor, deadLetters: dbDeadLetterSink(database.db), consumer: queue, backoff: { initialMs: 100, maxMs: 2000 }, log }),
    });
    await consumer.start();
    return { consumer, logs };
  };
  const nextConsumer = ({ queue, prefix }: Lane): Promise<ConsumerHarness> =>
    startConsumer({ client: env.client, db: database.db, releases, taskQueue, trigger: TRIGGER, queue, topicPrefix: prefix });
  const view = (): Promise<TriggerView> =>
    env.client.workflow
      .getHandle(triggerWorkflowId(RELEASE))
      .query(triggerQuery)
      .catch((error: unknown) => {
        // Not started yet: the first signal starts it.
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        return { release: RELEASE, pending: 0, pendingPackages: [], firesAt: null, received: 0, duplicates: 0, batches: 0, recent: [] };
      });
  const publishOne = async ({ conf }: Lane, name: string) => {
    const id = nextBuildId++;
    const messageId = randomUUID();
    const published = await publishWithPython(conf, [tagSpec({ tag: "f46", name, version: `1.${id}`, release: "1.fc46", buildId: id, id: messageId })]);
    expect(published.map((p) => p.id)).toEqual([messageId]);
    return messageId;
  };

  /**
   * After the first consumer stopped without acknowledging: the next consumer gets the message
   * again, signals it, acknowledges it, and the trigger received it once more, not as a duplicate.
   */
  const expectRedeliveredOnce = async (l: Lane, before: TriggerView, pkg: string) => {
    const next = await nextConsumer(l);
    cleanups.push(() => next.stop());
    try {
      await eventually(async () => (next.consumer.stats().acked === 1 ? true : undefined), "the next consumer to get and acknowledge the message", 30_000);
      const v = await eventually(async () => {
        const now = await view();
        return now.received > before.received ? now : undefined;
      }, "the trigger to receive the change");
      expect(v.received - before.received).toBe(1);
      expect(v.duplicates - before.duplicates).toBe(0);
      expect(v.pendingPackages).toContain(pkg);
      expect(next.consumer.stats()).toMatchObject({ delivered: 1, redelivered: 1, routed: 1, acked: 1, deadLettered: 0, inFlight: 0 });
      // Nothing left on the broker, ready or in flight: no further copy can come.
      await eventually(async () => {
        const counts = await queueCounts(l.queue);
        return counts.ready === 0 && counts.unacked === 0 ? true : undefined;
      }, "the queue to be empty", 30_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nnext consumer log:\n${next.logs.join("\n")}`);
    } finally {
      await next.stop();
    }
    expect(next.consumer.stats().delivered).toBe(1);
    expect((await view()).received - before.received).toBe(1);
  };

  /** The broker requeues what a closed channel left unacked; it does so asynchronously. */
  const readyAgain = ({ queue }: Lane) =>
    eventually(async () => {
      const counts = await queueCounts(queue);
      return counts.ready === 1 && counts.unacked === 0 ? true : undefined;
    }, "the broker to requeue the unacked message", 30_000);

  beforeAll(async () => {
    await requireRabbitMq();
    installQuietRuntime();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-bus-ack-"));
    [env, database] = await Promise.all([startTemporal(), createTestDatabase()]);
    releases = ReleaseCatalog.load(path.join(projectRoot, "config", "artifacts"));
    worker = await triggerWorker({ env, db: database.db, releases, taskQueue, pipelineTaskQueue: `${taskQueue}-pipelines` });
    workerRun = worker.run();
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    if (worker) {
      worker.shutdown();
      await workerRun;
    }
    await deleteQueues(queues).catch(() => {});
    await database?.drop();
    await env?.teardown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a consumer closed while a message's Signal-With-Start has not returned leaves it unacked: the next consumer processes it once", async () => {
    const l = lane();
    const before = await view();
    const calls: BusAction[] = [];
    const held: ((error: Error) => void)[] = [];
    // Holds each Signal-With-Start until the test lets it fail.
    const holding: ActionExecutor = {
      execute: (action) => {
        calls.push(action);
        return new Promise<void>((_, reject) => held.push(reject));
      },
    };
    const first = await consumerWith(l, holding, "held");
    let stopped = false;
    cleanups.push(async () => {
      held.forEach((fail) => fail(temporalUnavailable()));
      await first.consumer.stop();
    });

    const messageId = await publishOne(l, "xfwm4");
    await eventually(async () => (calls.length === 1 ? true : undefined), "the trigger action to be executed", 30_000);
    expect(calls[0]).toMatchObject({ kind: "trigger", release: RELEASE, change: { messageId, package: "xfwm4", op: "tag" } });
    expect(first.consumer.stats()).toMatchObject({ delivered: 1, acked: 0, inFlight: 1, processed: 0 });
    // The broker, not only the consumer's counters, must still hold it as delivered and unacked.
    expect(await queueCounts(l.queue)).toEqual({ ready: 0, unacked: 1 });

    const stopping = first.consumer.stop().then(() => void (stopped = true));
    // Stopping waits for the pending signal: the connection, and with it the message, stays open.
    expect(await queueCounts(l.queue)).toEqual({ ready: 0, unacked: 1 });
    expect(stopped).toBe(false);
    // The pending Signal-With-Start fails, as it does when Temporal goes away mid-call.
    expect(held).toHaveLength(1);
    held[0]!(temporalUnavailable());
    await stopping;
    expect(first.consumer.stats()).toMatchObject({ delivered: 1, acked: 0, inFlight: 0, processed: 0, connected: false });
    expect(calls).toHaveLength(1);
    // Closing the connection returns the unacked message to the queue.
    await readyAgain(l);

    await expectRedeliveredOnce(l, before, "xfwm4");
  }, 120_000);

  it("a consumer closed while Temporal is unreachable and the signal is being retried leaves the message unacked", async () => {
    const l = lane();
    const before = await view();
    const connection = Connection.lazy({ address: `127.0.0.1:${await closedPort()}`, connectTimeout: 500, interceptors: [] });
    cleanups.push(() => connection.close());
    // The real executor, against a Temporal that is not there (no gRPC retries: each attempt fails fast).
    // Every tagged build counts as an RPM build: no Koji knows this test's builds, and none is needed
    // to get as far as the signal.
    const deps = {
      client: new Client({ connection }),
      db: database.db,
      taskQueue,
      trigger: TRIGGER,
      packageBuilds: { split: async (changes: readonly PackageChange[]) => ({ packages: [...changes], notPackages: [] }) },
    };
    const unreachable = createActionExecutor(deps);
    const first = await consumerWith(l, unreachable, "unreachable");
    cleanups.push(() => first.consumer.stop());

    await publishOne(l, "thunar");
    await eventually(async () => (first.consumer.stats().retries >= 3 ? true : undefined), "the processor to retry the signal", 30_000);
    expect(first.consumer.stats()).toMatchObject({ delivered: 1, acked: 0, inFlight: 1, processed: 0 });
    expect(await queueCounts(l.queue)).toEqual({ ready: 0, unacked: 1 });

    await first.consumer.stop();
    expect(first.consumer.stats()).toMatchObject({ delivered: 1, acked: 0, inFlight: 0, processed: 0, deadLettered: 0, connected: false });
    await readyAgain(l);
    expect((await view()).received).toBe(before.received);

    await expectRedeliveredOnce(l, before, "thunar");
  }, 120_000);
});
