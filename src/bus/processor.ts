// One message, start to finish, whatever carried it (RabbitMQ or the sandbox's in-process bus):
// validate, route, act. A message that cannot be used is set aside here, for every carrier: written
// to composedb's DeadLetter table with its reason (dead-letters.ts) before process() resolves, so
// the carrier acknowledges it only once the row is durable; a failed write rejects with
// DeadLetterWriteError and the carrier leaves the message for redelivery. A failure that may pass
// (Temporal or PostgreSQL unreachable) is retried here until it succeeds or the carrier stops; one
// that would fail forever is set aside.
import { setTimeout as delay } from "node:timers/promises";
import { isTransient } from "./errors.js";
import { parseEnvelope, type BusEnvelope, type BusFamily } from "./messages/index.js";
import { route, type RouterContext } from "./router.js";
import type { ActionExecutor } from "./actions.js";
import type { DeadLetterSink } from "./dead-letters.js";

export type Outcome =
  | { status: "routed"; family: BusFamily; actions: number }
  | { status: "ignored"; family: BusFamily; reason: string }
  | { status: "dead-letter"; reason: string };

export interface ProcessorStats {
  processed: number;
  routed: number;
  ignored: number;
  /** messages set aside: their dead-letter row written */
  deadLettered: number;
  /** dead-letter rows that could not be written (the message was left for redelivery) */
  deadLetterWriteFailures: number;
  /** dead letters by reason, the reason cut at its first colon */
  deadLetterReasons: Record<string, number>;
  byFamily: Record<string, number>;
  /** action attempts that failed and were retried */
  retries: number;
}

export interface ProcessorOptions {
  context: RouterContext;
  executor: ActionExecutor;
  /** where set-aside messages are written (dbDeadLetterSink) */
  deadLetters: DeadLetterSink;
  /** recorded with each dead letter: the queue consumed, or "in-process" */
  consumer: string;
  /** attempts for a failure that is not transient before the message is set aside */
  permanentAttempts?: number;
  backoff?: { initialMs: number; maxMs: number };
  log?: (line: string) => void;
}

/** The dead letter could not be written: the message must not be acknowledged. */
export class DeadLetterWriteError extends Error {}

export class BusProcessor {
  private readonly counters: ProcessorStats = { processed: 0, routed: 0, ignored: 0, deadLettered: 0, deadLetterWriteFailures: 0, deadLetterReasons: {}, byFamily: {}, retries: 0 };

  constructor(private readonly opts: ProcessorOptions) {}

  /**
   * Validates, routes, acts; a message set aside is written as a dead letter before this resolves.
   * Rejects when `signal` aborts while an action is being retried, or with DeadLetterWriteError
   * when the dead letter could not be written: either way the message stays unacknowledged.
   */
  async process(envelope: BusEnvelope, signal?: AbortSignal, receivedAt = new Date()): Promise<Outcome> {
    const outcome = await this.decide(envelope, signal);
    this.counters.processed++;
    if (outcome.status === "dead-letter") {
      try {
        await this.opts.deadLetters.record({ envelope, reason: outcome.reason, consumer: this.opts.consumer, receivedAt });
      } catch (error) {
        this.counters.deadLetterWriteFailures++;
        throw new DeadLetterWriteError(`the dead letter could not be written (${(error as Error).message.split("\n").filter(Boolean).at(-1) ?? ""})`, { cause: error });
      }
    }
    this.count(outcome);
    return outcome;
  }

  /** The same decision for a stored dead letter (relengotron dead-letters --replay): nothing is written. */
  async reprocess(envelope: BusEnvelope): Promise<Outcome> {
    const outcome = await this.decide(envelope);
    this.counters.processed++;
    this.count(outcome);
    return outcome;
  }

  private count(outcome: Outcome): void {
    if (outcome.status === "dead-letter") {
      this.counters.deadLettered++;
      const key = outcome.reason.split(":")[0]!;
      this.counters.deadLetterReasons[key] = (this.counters.deadLetterReasons[key] ?? 0) + 1;
    } else {
      this.counters[outcome.status]++;
      this.counters.byFamily[outcome.family] = (this.counters.byFamily[outcome.family] ?? 0) + 1;
    }
  }

  stats(): ProcessorStats {
    return structuredClone(this.counters);
  }

  private async decide(envelope: BusEnvelope, signal?: AbortSignal): Promise<Outcome> {
    const parsed = parseEnvelope(envelope);
    if (!parsed.ok) return { status: "dead-letter", reason: parsed.reason };
    const message = parsed.message;
    const routing = route(message, this.opts.context);
    if (routing.kind === "ignore") return { status: "ignored", family: message.family, reason: routing.reason };
    if (routing.kind === "reject") return { status: "dead-letter", reason: routing.reason };
    const failures = await Promise.all(routing.actions.map((action) => this.attempt(() => this.opts.executor.execute(action), signal)));
    const failed = failures.find((f) => f !== undefined);
    if (failed) return { status: "dead-letter", reason: `could not be processed (${message.topic}): ${failed}` };
    return { status: "routed", family: message.family, actions: routing.actions.length };
  }

  /** Runs `fn` until it succeeds (undefined) or fails for good (the error message). */
  private async attempt(fn: () => Promise<void>, signal?: AbortSignal): Promise<string | undefined> {
    const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: 200, maxMs: 10_000 };
    const permanentAttempts = this.opts.permanentAttempts ?? 3;
    let permanent = 0;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      try {
        await fn();
        return undefined;
      } catch (error) {
        if (!isTransient(error) && ++permanent >= permanentAttempts) return describe(error);
        this.counters.retries++;
        this.opts.log?.(`bus: retrying after ${describe(error)}`);
        await delay(Math.min(maxMs, initialMs * 2 ** attempt), undefined, { signal });
      }
    }
  }
}

/** gRPC errors keep the server's explanation in their cause's details. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { details?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.details === "string" && cause.details ? cause.details : typeof cause?.message === "string" ? cause.message : "";
  return detail && !error.message.includes(detail) ? `${error.message} (${detail})` : error.message;
}
