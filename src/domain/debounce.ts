// The release trigger's memory, kept apart from Temporal so it is testable without a server: which
// changes wait for a pipeline, which message ids were already seen, and what to do at a given
// moment. A burst of changes becomes one pipeline once the bus has been quiet for `quietMs`, or
// `maxWaitMs` after the first change of the burst, whichever comes first. Deterministic: time is
// always passed in.
import { z } from "zod";

/** One change to a release's compose tag, as the bus reported it. */
export const packageChangeSchema = z.object({
  /** the bus message id: a message delivered twice is one change */
  messageId: z.string().min(1),
  /** Koji package (source package) name */
  package: z.string().min(1),
  nvr: z.string().min(1),
  op: z.enum(["tag", "untag"]),
  tag: z.string().min(1),
});
export type PackageChange = z.infer<typeof packageChangeSchema>;

export const debounceConfigSchema = z.object({
  quietMs: z.number().int().positive(),
  maxWaitMs: z.number().int().positive(),
  /** how many message ids are remembered for recognising duplicates */
  seenLimit: z.number().int().positive().default(10_000),
});
export type DebounceConfig = z.infer<typeof debounceConfigSchema>;

/**
 * The serialisable state, carried across continue-as-new. Pending changes are kept per package
 * (a count each), not one by one: a mass tagging of 20 000 builds must still fit in one payload.
 */
export const debounceSnapshotSchema = z.object({
  /** [package, changes] */
  pending: z.array(z.tuple([z.string(), z.number().int().positive()])),
  firstAt: z.number().nullable(),
  lastAt: z.number().nullable(),
  /** oldest first */
  seen: z.array(z.string()),
});
export type DebounceSnapshot = z.infer<typeof debounceSnapshotSchema>;

export type DebounceDecision = { kind: "idle" } | { kind: "wait"; until: number } | { kind: "fire" };

export interface Batch {
  /** how many changes (distinct messages) */
  changes: number;
  /** distinct package names, sorted */
  packages: string[];
  firstAt: number;
  lastAt: number;
}

export class Debouncer {
  private pending: Map<string, number>;
  private count: number;
  private firstAt: number | null;
  private lastAt: number | null;
  private seen: string[];
  private seenSet: Set<string>;

  constructor(
    readonly config: DebounceConfig,
    snapshot?: DebounceSnapshot,
  ) {
    this.pending = new Map(snapshot?.pending ?? []);
    this.count = [...this.pending.values()].reduce((a, b) => a + b, 0);
    this.firstAt = snapshot?.firstAt ?? null;
    this.lastAt = snapshot?.lastAt ?? null;
    this.seen = [...(snapshot?.seen ?? [])];
    this.seenSet = new Set(this.seen);
  }

  /** Records a change seen at `now`; false when its message id was seen before (a duplicate). */
  add(change: PackageChange, now: number): boolean {
    if (this.seenSet.has(change.messageId)) return false;
    this.remember(change.messageId);
    this.pending.set(change.package, (this.pending.get(change.package) ?? 0) + 1);
    this.count++;
    this.firstAt ??= now;
    this.lastAt = Math.max(this.lastAt ?? now, now);
    return true;
  }

  get pendingCount(): number {
    return this.count;
  }

  /** sorted */
  get pendingPackages(): string[] {
    return [...this.pending.keys()].sort();
  }

  decide(now: number): DebounceDecision {
    if (this.count === 0 || this.firstAt === null || this.lastAt === null) return { kind: "idle" };
    const until = Math.min(this.lastAt + this.config.quietMs, this.firstAt + this.config.maxWaitMs);
    return now >= until ? { kind: "fire" } : { kind: "wait", until };
  }

  /** Takes every pending change as one batch; the next change starts a new burst. */
  take(): Batch {
    if (this.firstAt === null || this.lastAt === null) throw new Error("no pending changes to take");
    const batch = { changes: this.count, packages: this.pendingPackages, firstAt: this.firstAt, lastAt: this.lastAt };
    this.pending = new Map();
    this.count = 0;
    this.firstAt = null;
    this.lastAt = null;
    return batch;
  }

  snapshot(): DebounceSnapshot {
    return { pending: [...this.pending].sort(([a], [b]) => (a < b ? -1 : 1)), firstAt: this.firstAt, lastAt: this.lastAt, seen: [...this.seen] };
  }

  private remember(id: string): void {
    this.seen.push(id);
    this.seenSet.add(id);
    // Forget the oldest ids, a tenth of the limit at a time (so not on every message): a redelivery
    // comes within minutes, not thousands of messages later.
    if (this.seen.length > this.config.seenLimit + Math.ceil(this.config.seenLimit / 10)) {
      const drop = this.seen.splice(0, this.seen.length - this.config.seenLimit);
      for (const id of drop) this.seenSet.delete(id);
    }
  }
}
