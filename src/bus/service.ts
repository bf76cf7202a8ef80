// The bus as the stack runs it: RabbitMQ when AMQP_URL is set (consumer, and a publisher for the
// sandbox), otherwise the in-process bus. Either way the same processor validates, routes and acts.
import type { Client } from "@temporalio/client";
import type { KojiClient } from "../clients/koji.js";
import type { Db } from "../db/database.js";
import type { ReleaseCatalog } from "../releases/catalog.js";
import { createActionExecutor } from "./actions.js";
import { dbDeadLetterSink } from "./dead-letters.js";
import type { BusConfig } from "./config.js";
import { AmqpBusConsumer, type ConsumerStats } from "./consumer.js";
import { InProcessBus } from "./in-process.js";
import { PackageBuildFilter } from "./package-builds.js";
import { bindingsFor } from "./messages/index.js";
import { BusProcessor, type ProcessorStats } from "./processor.js";
import { AmqpBusPublisher, type BusPublisher } from "./publisher.js";
import { resolveQueueName } from "./queue-name.js";
import { routerContext } from "./router.js";
import { loadAmqpTls } from "./tls.js";

export interface BusServiceOptions {
  /** the bus's settings; dataDir keeps the queue's name for RELENGOTRON_AMQP_QUEUE=uuid */
  cfg: BusConfig & { dataDir?: string };
  client: Client;
  db: Db;
  /** asked which tagged builds are RPM builds */
  koji: Pick<KojiClient, "getBuildTypes">;
  releases: ReleaseCatalog;
  /** the worker's task queue */
  taskQueue: string;
  /** also open a publisher (the sandbox publishes its Koji changes) */
  publish?: boolean;
  log?: (line: string) => void;
}

export interface BusService {
  kind: "amqp" | "in-process";
  /** the queue consumed (RELENGOTRON_AMQP_QUEUE, or the UUID it stands for); undefined in-process */
  queue: string | undefined;
  /** where the sandbox publishes; undefined when not asked for */
  publisher: BusPublisher | undefined;
  stats(): ConsumerStats | ProcessorStats;
  stop(): Promise<void>;
}

/**
 * The processor every carrier uses (and `dead-letters --replay`): the router over the release
 * catalogue, the actions, and dead letters written to composedb under `consumer`'s name.
 */
export function createBusProcessor(opts: Omit<BusServiceOptions, "publish"> & { consumer: string }): BusProcessor {
  const log = opts.log ?? (() => {});
  return new BusProcessor({
    context: routerContext(opts.releases),
    executor: createActionExecutor({
      client: opts.client,
      db: opts.db,
      taskQueue: opts.taskQueue,
      trigger: { quietSeconds: opts.cfg.RELENGOTRON_TRIGGER_QUIET_SECONDS, maxWaitSeconds: opts.cfg.RELENGOTRON_TRIGGER_MAX_WAIT_SECONDS },
      packageBuilds: new PackageBuildFilter(opts.koji),
      log,
    }),
    deadLetters: dbDeadLetterSink(opts.db),
    consumer: opts.consumer,
    log,
  });
}

export async function startBus(opts: BusServiceOptions): Promise<BusService> {
  const log = opts.log ?? (() => {});
  if (!opts.cfg.AMQP_URL) {
    const processor = createBusProcessor({ ...opts, consumer: "in-process" });
    const bus = new InProcessBus({ processor, topicPrefix: opts.cfg.RELENGOTRON_TOPIC_PREFIX });
    return { kind: "in-process", queue: undefined, publisher: opts.publish ? bus : undefined, stats: () => bus.stats(), stop: () => bus.close() };
  }
  // Bad certificate files stop the start, naming the variable, before anything connects.
  const tls = loadAmqpTls(opts.cfg);
  const queue = resolveQueueName(opts.cfg.RELENGOTRON_AMQP_QUEUE, opts.cfg.dataDir);
  const processor = createBusProcessor({ ...opts, consumer: queue });
  const consumer = new AmqpBusConsumer({
    url: opts.cfg.AMQP_URL,
    tls,
    queue,
    prefetch: opts.cfg.RELENGOTRON_AMQP_PREFETCH,
    // With a prefix (org.fedoraproject.prod), only that environment's topics; otherwise any.
    bindings: bindingsFor(opts.cfg.RELENGOTRON_TOPIC_PREFIX || undefined),
    processor,
    log,
  });
  await consumer.start();
  const publisher = opts.publish ? await AmqpBusPublisher.connect(opts.cfg.AMQP_URL, { topicPrefix: opts.cfg.RELENGOTRON_TOPIC_PREFIX, tls }) : undefined;
  return {
    kind: "amqp",
    queue,
    publisher,
    stats: () => consumer.stats(),
    stop: async () => {
      await publisher?.close();
      await consumer.stop();
    },
  };
}
