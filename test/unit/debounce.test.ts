// The release trigger's debounce: what fires when, which message ids are duplicates, and that the
// state survives continue-as-new. Times are plain numbers (milliseconds).
import { describe, expect, it } from "vitest";
import { Debouncer, type PackageChange } from "../../src/domain/debounce.js";

const change = (id: string, pkg = "firefox"): PackageChange => ({ messageId: id, package: pkg, nvr: `${pkg}-1-1.fc46`, op: "tag", tag: "f46" });

/** Drives a debouncer like the workflow does: events at given times, decisions checked every `step` ms. */
function simulate(d: Debouncer, events: { at: number; change: PackageChange }[], until: number, step = 10): { at: number; packages: string[]; changes: number }[] {
  const fired: { at: number; packages: string[]; changes: number }[] = [];
  const queue = [...events].sort((a, b) => a.at - b.at);
  for (let t = 0; t <= until; t += step) {
    while (queue.length && queue[0]!.at <= t) d.add(queue.shift()!.change, t);
    if (d.decide(t).kind === "fire") {
      const b = d.take();
      fired.push({ at: t, packages: b.packages, changes: b.changes });
    }
  }
  return fired;
}

describe("debounce", () => {
  it("is idle without changes and fires once the bus has been quiet for the quiet period", () => {
    const d = new Debouncer({ quietMs: 3000, maxWaitMs: 60_000, seenLimit: 100 });
    expect(d.decide(0)).toEqual({ kind: "idle" });
    d.add(change("a"), 0);
    d.add(change("b"), 1000);
    d.add(change("c", "bash"), 2000);
    expect(d.decide(4999)).toEqual({ kind: "wait", until: 5000 });
    expect(d.decide(5000)).toEqual({ kind: "fire" });
    const batch = d.take();
    expect(batch.packages).toEqual(["bash", "firefox"]);
    expect(batch.changes).toBe(3);
    expect([batch.firstAt, batch.lastAt]).toEqual([0, 2000]);
    expect(d.decide(5000)).toEqual({ kind: "idle" });
  });

  it("fires at the maximum wait while changes keep coming", () => {
    const d = new Debouncer({ quietMs: 3000, maxWaitMs: 5000, seenLimit: 100 });
    const events = Array.from({ length: 21 }, (_, i) => ({ at: i * 1000, change: change(`m${i}`) }));
    // Every second for 20 s: never quiet for 3 s, so the batches close at 5 s after each burst's start.
    const fired = simulate(d, events, 30_000);
    expect(fired.map((f) => f.at)).toEqual([5000, 11_000, 17_000, 23_000]);
    expect(fired.map((f) => f.changes)).toEqual([6, 6, 6, 3]);
  });

  it("turns a burst of 500 changes in a minute into one batch, fired a quiet period after the last", () => {
    const d = new Debouncer({ quietMs: 5000, maxWaitMs: 600_000, seenLimit: 10_000 });
    const events = Array.from({ length: 500 }, (_, i) => ({ at: i * 120, change: change(`burst-${i}`, `pkg${i % 37}`) }));
    const fired = simulate(d, events, 120_000);
    expect(fired).toHaveLength(1);
    expect(fired[0]!.at).toBe(499 * 120 + 5000);
    expect(fired[0]!.changes).toBe(500);
    expect(fired[0]!.packages).toHaveLength(37);
  });

  it("recognises a message id seen before, also in a later batch and after a snapshot round trip", () => {
    const d = new Debouncer({ quietMs: 1000, maxWaitMs: 10_000, seenLimit: 100 });
    expect(d.add(change("x"), 0)).toBe(true);
    expect(d.add(change("x"), 10)).toBe(false);
    expect(d.pendingCount).toBe(1);
    d.take();
    expect(d.add(change("x"), 5000)).toBe(false);
    expect(d.decide(10_000)).toEqual({ kind: "idle" });

    d.add(change("y"), 6000);
    const restored = new Debouncer(d.config, JSON.parse(JSON.stringify(d.snapshot())));
    expect(restored.add(change("x"), 6500)).toBe(false);
    expect(restored.add(change("y"), 6500)).toBe(false);
    expect(restored.pendingCount).toBe(1);
    // The pending burst keeps its timing across the round trip.
    expect(restored.decide(6999)).toEqual({ kind: "wait", until: 7000 });
  });

  it("remembers a bounded number of ids, forgetting the oldest", () => {
    const d = new Debouncer({ quietMs: 1000, maxWaitMs: 10_000, seenLimit: 100 });
    for (let i = 0; i < 1000; i++) d.add(change(`id-${i}`), i);
    const seen = d.snapshot().seen;
    expect(seen.length).toBeGreaterThanOrEqual(100);
    expect(seen.length).toBeLessThanOrEqual(110);
    expect(seen.at(-1)).toBe("id-999");
    expect(d.add(change("id-999"), 2000)).toBe(false);
    expect(d.add(change("id-0"), 2000)).toBe(true);
  });

  it("keeps a mass tagging small enough to carry across continue-as-new", () => {
    const d = new Debouncer({ quietMs: 60_000, maxWaitMs: 3_600_000, seenLimit: 10_000 });
    for (let i = 0; i < 20_000; i++) d.add(change(`00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, `package-${i % 2500}`), i);
    const snapshot = JSON.stringify(d.snapshot());
    // Temporal refuses payloads over 2 MB; one entry per package and a bounded id memory stay well under.
    expect(snapshot.length).toBeLessThan(600_000);
    const restored = new Debouncer(d.config, JSON.parse(snapshot));
    expect(restored.pendingCount).toBe(20_000);
    const batch = restored.take();
    expect(batch.changes).toBe(20_000);
    expect(batch.packages).toHaveLength(2500);
    expect(batch.packages[0]).toBe("package-0");
  });
});
