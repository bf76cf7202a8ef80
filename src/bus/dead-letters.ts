// Dead letters in composedb: a message the processor set aside (invalid, unknown, unusable) is
// written to the DeadLetter table as it was received, by whichever bus carried it. The carrier
// acknowledges the message only once the row is written; a write that fails leaves it for
// redelivery. `relengotron dead-letters` lists them and replays one through the same processor.
import { z } from "zod";
import type { Db } from "../db/database.js";
import type { BusEnvelope } from "./messages/index.js";
import type { BusProcessor, Outcome } from "./processor.js";

export interface DeadLetterInput {
  envelope: BusEnvelope;
  reason: string;
  /** the queue consumed, or "in-process" */
  consumer: string;
  receivedAt: Date;
}

export interface DeadLetterSink {
  /** Resolves once the row is durably written; rejects when it could not be. */
  record(letter: DeadLetterInput): Promise<void>;
}

/** The bytes as text when they are UTF-8 (and survive the round trip), otherwise base64. */
export function encodeBody(body: Buffer): { bodyEncoding: "utf8" | "base64"; body: string } {
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  try {
    const decoded = text.decode(body);
    // PostgreSQL text cannot hold NUL.
    if (!decoded.includes("\u0000") && Buffer.from(decoded, "utf8").equals(body)) return { bodyEncoding: "utf8", body: decoded };
  } catch {
    // not UTF-8
  }
  return { bodyEncoding: "base64", body: body.toString("base64") };
}

export function decodeBody(row: { bodyEncoding: string; body: string }): Buffer {
  return row.bodyEncoding === "base64" ? Buffer.from(row.body, "base64") : Buffer.from(row.body, "utf8");
}

/** AMQP header values as JSON: Buffers become {base64}, bigints and dates strings. */
function jsonHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(headers, function (this: Record<string, unknown>, key, value: unknown) {
      const raw = key === "" ? value : this[key];
      if (Buffer.isBuffer(raw)) return { base64: raw.toString("base64") };
      if (typeof raw === "bigint") return raw.toString();
      if (raw instanceof Date) return raw.toISOString();
      return value;
    }),
  ) as Record<string, unknown>;
}

const MAX_REASON = 4000;

export function dbDeadLetterSink(db: Db): DeadLetterSink {
  return {
    async record({ envelope, reason, consumer, receivedAt }) {
      await db.deadLetter.create({
        data: {
          reason: reason.slice(0, MAX_REASON),
          topic: envelope.routingKey,
          messageId: envelope.id ?? null,
          headers: jsonHeaders(envelope.headers) as object,
          ...encodeBody(envelope.body),
          size: envelope.body.length,
          contentEncoding: envelope.contentEncoding ?? null,
          consumer,
          receivedAt,
        },
      });
    },
  };
}

export const DeadLetterListOptions = z.object({ limit: z.coerce.number().int().min(1).max(10_000).default(50) });

export interface DeadLetterSummary {
  id: number;
  setAsideAt: string;
  topic: string;
  reason: string;
  size: number;
  messageId: string | null;
  consumer: string;
  replayedAt: string | null;
  replayedBy: string | null;
}

/** Newest first. */
export async function listDeadLetters(db: Db, opts: { limit?: number } = {}): Promise<DeadLetterSummary[]> {
  const { limit } = DeadLetterListOptions.parse(opts);
  const rows = await db.deadLetter.findMany({
    orderBy: [{ setAsideAt: "desc" }, { id: "desc" }],
    take: limit,
    select: { id: true, setAsideAt: true, topic: true, reason: true, size: true, messageId: true, consumer: true, replayedAt: true, replayedBy: true },
  });
  return rows.map((r) => ({ ...r, setAsideAt: r.setAsideAt.toISOString(), replayedAt: r.replayedAt?.toISOString() ?? null }));
}

export type ReplayResult =
  | { id: number; status: "replayed"; outcome: Exclude<Outcome, { status: "dead-letter" }>; replayedAt: string; replayedBy: string }
  | { id: number; status: "failed"; reason: string }
  | { id: number; status: "already-replayed"; replayedAt: string; replayedBy: string };

/**
 * Processes the stored message again, as it was received; accepted (routed or ignored), it is
 * marked replayed by `by`, and kept. Set aside again, the row's reason becomes the new one.
 */
export async function replayDeadLetter(db: Db, id: number, processor: BusProcessor, by: string): Promise<ReplayResult> {
  const row = await db.deadLetter.findUnique({ where: { id } });
  if (!row) throw new Error(`no dead letter ${id}`);
  if (row.replayedAt) return { id, status: "already-replayed", replayedAt: row.replayedAt.toISOString(), replayedBy: row.replayedBy ?? "" };
  const envelope: BusEnvelope = {
    id: row.messageId ?? undefined,
    routingKey: row.topic,
    headers: row.headers as Record<string, unknown>,
    contentEncoding: row.contentEncoding ?? undefined,
    body: decodeBody(row),
  };
  const outcome = await processor.reprocess(envelope);
  if (outcome.status === "dead-letter") {
    await db.deadLetter.update({ where: { id }, data: { reason: outcome.reason.slice(0, MAX_REASON), replays: { increment: 1 } } });
    return { id, status: "failed", reason: outcome.reason };
  }
  const replayedAt = new Date();
  await db.deadLetter.update({ where: { id }, data: { replayedAt, replayedBy: by, replays: { increment: 1 } } });
  return { id, status: "replayed", outcome, replayedAt: replayedAt.toISOString(), replayedBy: by };
}
