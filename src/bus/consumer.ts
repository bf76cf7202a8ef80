// The RabbitMQ consumer: a durable queue bound to amq.topic for the topics relengotron reads,
// manual acknowledgements, and a reconnect loop. A message is acknowledged only after it was
// processed (for a trigger change: once Temporal has the signal in history) or set aside as a
// dead letter in composedb with its reason (the processor writes the row); a connection lost
// meanwhile means the broker delivers it again, and the processing is idempotent. A dead letter
// that could not be written (the database down) is returned to the queue after a pause, so the
// broker delivers it again later.
import { setTimeout as delay } from "node:timers/promises";
import amqp from "amqplib";
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from "amqplib";
import { DEFAULT_BINDINGS, type BusEnvelope } from "./messages/index.js";
import { DeadLetterWriteError, type BusProcessor, type ProcessorStats } from "./processor.js";
import { redactUrl } from "../redact.js";
import { amqpSocketOptions, explainAmqpError, type AmqpTlsFiles } from "./tls.js";

export interface AmqpConsumerOptions {
  url: string;
  /** for an amqps:// URL: the CA, client certificate and key (loadAmqpTls); SASL EXTERNAL with a certificate */
  tls?: AmqpTlsFiles;
  /** durable queue the bindings feed */
  queue: string;
  exchange?: string;
  /** routing keys bound to the queue; DEFAULT_BINDINGS by default */
  bindings?: string[];
  /** unacknowledged messages in flight */
  prefetch?: number;
  /** shown by the broker (rabbitmqctl list_connections user_provided_name) */
  connectionName?: string;
  processor: BusProcessor;
  reconnect?: { initialMs?: number; maxMs?: number };
  /** how long a message whose dead letter could not be written is held before it goes back to the queue */
  deadLetterRetryMs?: number;
  log?: (line: string) => void;
}

export interface ConsumerStats extends ProcessorStats {
  delivered: number;
  redelivered: number;
  acked: number;
  /** connections after the first */
  reconnects: number;
  connected: boolean;
  inFlight: number;
}

export class AmqpBusConsumer {
  private model: ChannelModel | undefined;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly counts = { delivered: 0, redelivered: 0, acked: 0, reconnects: 0, connections: 0 };
  private reconnecting: Promise<void> | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: AmqpConsumerOptions) {
    this.log = opts.log ?? (() => {});
  }

  /** Connects and starts consuming; fails with a clear message when the broker cannot be reached. */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      throw new Error(`cannot consume from RabbitMQ at ${redactUrl(this.opts.url)}: ${explainAmqpError(error)}`);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort(new Error("consumer stopping"));
    await this.reconnecting;
    await Promise.allSettled([...this.inFlight]);
    const model = this.model;
    this.model = undefined;
    await model?.close().catch(() => {});
  }

  stats(): ConsumerStats {
    return {
      ...this.opts.processor.stats(),
      delivered: this.counts.delivered,
      redelivered: this.counts.redelivered,
      acked: this.counts.acked,
      reconnects: Math.max(0, this.counts.connections - 1),
      connected: this.model !== undefined,
      inFlight: this.inFlight.size,
    };
  }

  private async connect(): Promise<void> {
    const model = await amqp.connect(this.opts.url, amqpSocketOptions(this.opts.url, this.opts.tls, this.opts.connectionName ?? "relengotron consumer"));
    let closed = false;
    model.on("error", (error: Error) => this.log(`bus: connection error: ${error.message}`));
    model.on("close", () => {
      closed = true;
      if (this.model === model) this.lost();
    });
    try {
      const channel = await model.createConfirmChannel();
      channel.on("error", (error: Error) => this.log(`bus: channel error: ${error.message}`));
      const exchange = this.opts.exchange ?? "amq.topic";
      await channel.assertQueue(this.opts.queue, { durable: true, autoDelete: false, exclusive: false });
      for (const key of this.opts.bindings ?? DEFAULT_BINDINGS) await channel.bindQueue(this.opts.queue, exchange, key);
      await channel.prefetch(this.opts.prefetch ?? 200);
      await channel.consume(this.opts.queue, (msg) => this.deliver(model, channel, msg), { noAck: false });
      if (closed) throw new Error("connection closed while setting up");
      if (this.stopped) throw new Error("consumer stopped while connecting");
    } catch (error) {
      await model.close().catch(() => {});
      throw error;
    }
    this.model = model;
    this.counts.connections++;
    if (this.counts.connections > 1) this.log(`bus: reconnected to RabbitMQ (${this.counts.connections - 1} reconnects)`);
  }

  private lost(): void {
    this.model = undefined;
    if (this.stopped) return;
    this.log("bus: connection to RabbitMQ lost; reconnecting");
    this.reconnecting ??= this.reconnectLoop().finally(() => (this.reconnecting = undefined));
  }

  private async reconnectLoop(): Promise<void> {
    const initial = this.opts.reconnect?.initialMs ?? 200;
    const max = this.opts.reconnect?.maxMs ?? 15_000;
    for (let attempt = 0; !this.stopped; attempt++) {
      await delay(Math.min(max, initial * 2 ** attempt), undefined, { signal: this.abort.signal }).catch(() => {});
      if (this.stopped) return;
      try {
        await this.connect();
        return;
      } catch (error) {
        if (!this.stopped) this.log(`bus: reconnect failed (${explainAmqpError(error)})`);
      }
    }
  }

  private deliver(model: ChannelModel, channel: ConfirmChannel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled the consumer (queue deleted): start over on a fresh connection.
      void model.close().catch(() => {});
      return;
    }
    this.counts.delivered++;
    if (msg.fields.redelivered) this.counts.redelivered++;
    const envelope: BusEnvelope = {
      id: typeof msg.properties.messageId === "string" && msg.properties.messageId ? msg.properties.messageId : undefined,
      routingKey: msg.fields.routingKey,
      headers: (msg.properties.headers ?? {}) as Record<string, unknown>,
      contentEncoding: msg.properties.contentEncoding as string | undefined,
      body: msg.content,
    };
    const receivedAt = new Date();
    const work = this.opts.processor
      .process(envelope, this.abort.signal, receivedAt)
      .then(() => {
        channel.ack(msg);
        this.counts.acked++;
      })
      .catch(async (error: unknown) => {
        // Stopping, or the channel went away: the broker redelivers what was not acknowledged.
        if (this.stopped) return;
        this.log(`bus: message ${envelope.id ?? "(no id)"} left for redelivery: ${(error as Error).message}`);
        if (!(error instanceof DeadLetterWriteError)) return;
        // The database is down: back to the queue after a pause, delivered again until the row is written.
        await delay(this.opts.deadLetterRetryMs ?? 5000, undefined, { signal: this.abort.signal }).catch(() => {});
        try {
          if (!this.stopped) channel.nack(msg, false, true);
        } catch {
          // the channel closed meanwhile: the broker redelivers it anyway
        }
      });
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
