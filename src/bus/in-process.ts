// The bus without a broker, for the sandbox when no AMQP_URL is configured: a published message is
// encoded exactly as on the wire, filtered by the same bindings, and processed at once. Dead
// letters go where the processor puts them for every carrier: composedb's DeadLetter table.
import { DEFAULT_BINDINGS, type BusEnvelope } from "./messages/index.js";
import type { BusProcessor, ProcessorStats } from "./processor.js";
import { encodeMessage, type BusPublisher, type OutgoingMessage } from "./publisher.js";
import { topicMatches } from "./topics.js";

export class InProcessBus implements BusPublisher {
  private published = 0;
  private unbound = 0;

  constructor(private readonly opts: { processor: BusProcessor; bindings?: string[]; topicPrefix?: string }) {}

  /** Resolves once the message was processed (or set aside: its dead letter written); answers its id. */
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
    await this.opts.processor.process(envelope);
    return envelope.id!;
  }

  stats(): ProcessorStats & { published: number; unbound: number } {
    return { ...this.opts.processor.stats(), published: this.published, unbound: this.unbound };
  }

  async close(): Promise<void> {}
}
