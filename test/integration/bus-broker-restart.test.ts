// RabbitMQ restarting mid-stream, for real: a broker of the test's own is stopped and started again
// while messages flow. The consumer reconnects, the durable queue kept what was not yet acked, and
// every message reaches the release's trigger exactly once.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { WorkflowNotFoundError } from "@temporalio/client";
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import type { Worker } from "@temporalio/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/config.js";
import { ReleaseCatalog } from "../../src/releases/catalog.js";
import { installQuietRuntime } from "../../src/runtime/worker.js";
import { triggerQuery, triggerWorkflowId, type TriggerView } from "../../src/workflows/release-trigger.js";
import { publishWithPython, startConsumer, tagSpec, testQueueName, testTopicPrefix, triggerWorker, writeFedoraMessagingConf, type ConsumerHarness } from "../support/bus-env.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { eventually } from "../support/pipeline-env.js";
import { startPrivateRabbitMq, type PrivateRabbitMq } from "../support/private-rabbitmq.js";
import { startTemporal } from "../support/temporal.js";

describe("the bus across a broker restart", () => {
  let broker: PrivateRabbitMq;
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let worker: Worker;
  let workerRun: Promise<void>;
  let bus: ConsumerHarness;
  let conf: string;
  let dir: string;
  const taskQueue = `bus-restart-${randomUUID().slice(0, 8)}`;
  const prefix = testTopicPrefix();
  const queue = testQueueName(import.meta.url);
  let consumerOptions: () => Parameters<typeof startConsumer>[0];
  let nextBuildId = 900_000;

  beforeAll(async () => {
    installQuietRuntime();
    broker = await startPrivateRabbitMq();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-bus-restart-"));
    conf = writeFedoraMessagingConf(dir, { topicPrefix: prefix, amqpUrl: broker.url });
    [env, database] = await Promise.all([startTemporal(), createTestDatabase()]);
    const releases = ReleaseCatalog.load(path.join(projectRoot, "config", "artifacts"));
    worker = await triggerWorker({ env, db: database.db, releases, taskQueue, pipelineTaskQueue: `${taskQueue}-pipelines` });
    workerRun = worker.run();
    consumerOptions = () => ({
      client: env.client,
      db: database.db,
      releases,
      taskQueue,
      trigger: { quietSeconds: 30, maxWaitSeconds: 300 },
      queue,
      topicPrefix: prefix,
      amqpUrl: broker.url,
    });
    bus = await startConsumer(consumerOptions());
  }, 180_000);
  afterAll(async () => {
    await bus?.stop();
    if (worker) {
      worker.shutdown();
      await workerRun;
    }
    await database?.drop();
    await env?.teardown();
    await broker?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const view = (): Promise<TriggerView | undefined> =>
    env.client.workflow
      .getHandle(triggerWorkflowId("Fedora-Rawhide"))
      .query(triggerQuery)
      .catch((error: unknown) => {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      });
  const tags = (n: number) =>
    Array.from({ length: n }, () => {
      const id = nextBuildId++;
      return tagSpec({ tag: "f46", name: "bash", version: `5.${id}`, release: "1.fc46", buildId: id, id: randomUUID() });
    });
  const unique = async () => {
    const v = await view();
    return v ? v.received - v.duplicates : 0;
  };

  it("loses nothing and counts nothing twice when RabbitMQ stops and starts mid-stream", async () => {
    await publishWithPython(conf, tags(100), { spreadSeconds: 2 });
    await eventually(async () => ((await unique()) === 100 ? true : undefined), "the first 100 messages", 60_000);

    // The broker goes away under a running consumer, and comes back: the consumer reconnects by
    // itself, declares its queue and bindings again, and goes on consuming.
    await broker.stop();
    await eventually(async () => (bus.consumer.stats().connected ? undefined : true), "the consumer to notice", 10_000);
    await sleep(1000);
    await broker.start();
    await eventually(async () => (bus.consumer.stats().connected ? true : undefined), "the consumer reconnected", 60_000);
    expect(bus.consumer.stats().reconnects).toBeGreaterThanOrEqual(1);
    await publishWithPython(conf, tags(50), { spreadSeconds: 1 });
    await eventually(async () => ((await unique()) === 150 ? true : undefined), "150 messages", 60_000);

    // Messages waiting in the queue when the broker restarts are still there afterwards (a durable
    // queue, persistent messages): a consumer started after the restart gets every one.
    await bus.stop();
    await publishWithPython(conf, tags(150));
    await broker.stop();
    await broker.start();
    bus = await startConsumer(consumerOptions());
    await eventually(async () => ((await unique()) === 300 ? true : undefined), `all 300 messages (logs: ${bus.logs.slice(-5).join(" | ")})`, 90_000);
    expect(bus.consumer.stats().deadLettered).toBe(0);
    // One burst, still being debounced (quiet period 30 s): all 300 changes wait in one batch.
    const v = (await view())!;
    expect(v).toMatchObject({ pending: 300, pendingPackages: ["bash"], batches: 0 });
  }, 240_000);
});
