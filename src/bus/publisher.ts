// Publishing in fedora-messaging's wire format (fedora_messaging/message.py, Message._build_properties
// and twisted/protocol.py publish): exchange amq.topic, routing key = [topic_prefix.]topic, the body
// as JSON in UTF-8, persistent, message id in properties, and its headers: schema, schema package,
// sent-at, severity, priority, and the filter headers (fedora_messaging_user_<name>,
// fedora_messaging_rpm_<package> …). Used by the sandbox and the benchmark; tests publish with the
// real Python library instead.
import { randomUUID } from "node:crypto";
import amqp from "amqplib";
import { redactUrl } from "../redact.js";
import { amqpSocketOptions, explainAmqpError, type AmqpTlsFiles } from "./tls.js";

export const SEVERITY = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 } as const;

export interface OutgoingMessage {
  topic: string;
  body: unknown;
  /** fedora_messaging_schema; "base.message" when no schema class is known */
  schema?: string;
  schemaPackage?: string;
  severity?: (typeof SEVERITY)[keyof typeof SEVERITY];
  priority?: number;
  id?: string;
  /** filter headers, as Message.usernames / .packages give them */
  usernames?: string[];
  packages?: string[];
}

export interface WireMessage {
  routingKey: string;
  content: Buffer;
  options: {
    contentType: "application/json";
    contentEncoding: "utf-8";
    deliveryMode: 2;
    messageId: string;
    priority?: number;
    headers: Record<string, string | number | boolean>;
  };
}

/** Python's json.dumps default separators, so a body is byte-for-byte what fedora-messaging sends. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${asciiJson(k)}: ${pythonJson(v)}`).join(", ")}}`;
  if (typeof value === "string") return asciiJson(value);
  return JSON.stringify(value);
}

/** json.dumps escapes every non-ASCII character (ensure_ascii=True). */
function asciiJson(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function encodeMessage(message: OutgoingMessage, opts: { topicPrefix?: string; now?: Date } = {}): WireMessage {
  const now = opts.now ?? new Date();
  const headers: Record<string, string | number | boolean> = {
    fedora_messaging_schema: message.schema ?? "base.message",
    ...(message.schemaPackage ? { fedora_messaging_schema_package: message.schemaPackage } : {}),
    // isoformat() of a UTC datetime without microseconds: 2026-11-27T18:29:24+00:00
    "sent-at": `${now.toISOString().slice(0, 19)}+00:00`,
    fedora_messaging_severity: message.severity ?? SEVERITY.INFO,
    priority: message.priority ?? 0,
  };
  for (const user of message.usernames ?? []) headers[`fedora_messaging_user_${user}`] = true;
  for (const pkg of message.packages ?? []) headers[`fedora_messaging_rpm_${pkg}`] = true;
  const prefix = opts.topicPrefix?.replace(/\.+$/, "");
  return {
    routingKey: prefix ? `${prefix}.${message.topic}` : message.topic,
    content: Buffer.from(pythonJson(message.body), "utf8"),
    options: {
      contentType: "application/json",
      contentEncoding: "utf-8",
      deliveryMode: 2,
      messageId: message.id ?? randomUUID(),
      ...(message.priority ? { priority: message.priority } : {}),
      headers,
    },
  };
}

export interface BusPublisher {
  publish(message: OutgoingMessage): Promise<string>;
  close(): Promise<void>;
}

/** Publishes with publisher confirms: `publish` resolves once the broker has the message. */
export class AmqpBusPublisher implements BusPublisher {
  private constructor(
    private readonly model: amqp.ChannelModel,
    private readonly channel: amqp.ConfirmChannel,
    private readonly opts: { exchange: string; topicPrefix?: string },
  ) {}

  /** `tls`: the consumer's TLS settings (loadAmqpTls), for an amqps:// URL. */
  static async connect(url: string, opts: { exchange?: string; topicPrefix?: string; connectionName?: string; tls?: AmqpTlsFiles } = {}): Promise<AmqpBusPublisher> {
    const model = await amqp.connect(url, amqpSocketOptions(url, opts.tls, opts.connectionName ?? "relengotron publisher")).catch((error: unknown) => {
      throw new Error(`cannot publish to RabbitMQ at ${redactUrl(url)}: ${explainAmqpError(error)}`);
    });
    model.on("error", () => {});
    const channel = await model.createConfirmChannel();
    return new AmqpBusPublisher(model, channel, { exchange: opts.exchange ?? "amq.topic", topicPrefix: opts.topicPrefix });
  }

  async publish(message: OutgoingMessage): Promise<string> {
    const wire = encodeMessage(message, { topicPrefix: this.opts.topicPrefix });
    await new Promise<void>((resolve, reject) => {
      this.channel.publish(this.opts.exchange, wire.routingKey, wire.content, wire.options, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
    });
    return wire.options.messageId;
  }

  async close(): Promise<void> {
    await this.model.close().catch(() => {});
  }
}
