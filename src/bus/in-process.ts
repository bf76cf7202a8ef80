// The bus without a broker, for the sandbox when no AMQP_URL is configured: a published message is
// encoded exactly as on the wire, filtered by the same bindings, and processed at once. Dead
// letters are kept in memory (the latest ones) and counted.
import { DEFAULT_BINDINGS, type BusEnvelope } from "./messages/index.js";
import type { BusProcessor, ProcessorStats } from "./processor.js";
import { encodeMessage, type BusPublisher, type OutgoingMessage } from "./publisher.js";
import { topicMatches } from "./topics.js";

export interface DeadLetter {
  id: string;
  routingKey: string;
  headers: Record<string, unknown>;
  body: string;
  reason: string;
}

const KEEP_DEAD_LETTERS = 1000;

export class InProcessBus implements BusPublisher {
  readonly deadLetters: DeadLetter[] = [];
  private published = 0;
  private unbound = 0;

  constructor(private readonly opts: { processor: BusProcessor; bindings?: string[]; topicPrefix?: string }) {}

  /** Resolves once the message was processed (or set aside); answers its id. */
  async publish(message: OutgoingMessage): Promise<string> {
    const wire = encodeMessage(message, { topicPrefix: this.opts.topicPrefix });
    this.published++;
    if (!(this.opts.bindings ?? DEFAULT_BINDINGS).some((b) => topicMatches(b, wire.routingKey))) {
      this.unbound++;
      return wire.options.messageId;
    }
    const envelope: BusEnvelope = {
      id: wire.options.messageId,
      routingKey: wire.routingKey,
      headers: wire.options.headers,
      contentEncoding: wire.options.contentEncoding,
      body: wire.content,
    };
    const outcome = await this.opts.processor.process(envelope);
    if (outcome.status === "dead-letter") {
      this.deadLetters.push({ id: envelope.id!, routingKey: envelope.routingKey, headers: envelope.headers, body: wire.content.toString("utf8"), reason: outcome.reason });
      if (this.deadLetters.length > KEEP_DEAD_LETTERS) this.deadLetters.splice(0, this.deadLetters.length - KEEP_DEAD_LETTERS);
    }
    return envelope.id!;
  }

  stats(): ProcessorStats & { published: number; unbound: number } {
    return { ...this.opts.processor.stats(), published: this.published, unbound: this.unbound };
  }

  async close(): Promise<void> {}
}
