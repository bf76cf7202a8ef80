// The gate decides what reaches the mirror: a required check without a result must block exactly
// like a failed one (Greenwave's test-result-missing), or an artifact CI never looked at is published.
import { describe, expect, it } from "vitest";
import { decideGate, type CheckRecord, type GateInput } from "../../src/domain/gate.js";

const ARTIFACT = "Workstation-Live";
const check = (name: string, outcome: CheckRecord["outcome"], artifact = ARTIFACT): CheckRecord => ({ artifact, check: name, outcome, summary: `${name}: ${outcome.toLowerCase()}` });
const gate = (checks: CheckRecord[], required = ["size-budget", "installability"], extra: Partial<GateInput> = {}) =>
  decideGate({ artifact: ARTIFACT, built: true, required, checks, ...extra });
const kinds = (d: ReturnType<typeof decideGate>) => d.unsatisfied.map((u) => ({ kind: u.kind, artifact: u.artifact, check: "check" in u ? u.check : undefined }));

describe("decideGate", () => {
  it("publishes when every required check passed", () => {
    const d = gate([check("size-budget", "PASSED"), check("installability", "PASSED")]);
    expect(d.publish).toBe(true);
    expect(d.unsatisfied).toEqual([]);
    expect(d.satisfied).toEqual([
      { artifact: ARTIFACT, check: "size-budget", summary: "size-budget: passed" },
      { artifact: ARTIFACT, check: "installability", summary: "installability: passed" },
    ]);
    expect(d.required).toEqual(["size-budget", "installability"]);
  });

  it("a required check whose outcome is MISSING is unsatisfied: test-result-missing, not published", () => {
    const d = gate([check("size-budget", "PASSED"), check("ci:compose.install_default", "MISSING")], ["size-budget", "ci:compose.install_default"]);
    expect(d.publish).toBe(false);
    expect(kinds(d)).toEqual([{ kind: "test-result-missing", artifact: ARTIFACT, check: "ci:compose.install_default" }]);
    expect(d.unsatisfied[0]!.summary).toBe("ci:compose.install_default: missing");
    expect(d.satisfied.map((s) => s.check)).toEqual(["size-budget"]);
    expect(d.summary).toContain("ci:compose.install_default (test-result-missing)");
  });

  it("a required check with no record at all is unsatisfied as missing", () => {
    const d = gate([check("size-budget", "PASSED")]);
    expect(d.publish).toBe(false);
    expect(kinds(d)).toEqual([{ kind: "test-result-missing", artifact: ARTIFACT, check: "installability" }]);
  });

  it("a required check that FAILED is unsatisfied: test-result-failed", () => {
    const d = gate([check("size-budget", "FAILED"), check("installability", "PASSED")]);
    expect(d.publish).toBe(false);
    expect(kinds(d)).toEqual([{ kind: "test-result-failed", artifact: ARTIFACT, check: "size-budget" }]);
    expect(d.unsatisfied[0]!.summary).toBe("size-budget: failed");
    expect(d.satisfied.map((s) => s.check)).toEqual(["installability"]);
  });

  it("lists failed and missing requirements together, in the order they are required", () => {
    const d = gate([check("installability", "FAILED"), check("ci:a", "MISSING")], ["ci:a", "installability", "size-budget"]);
    expect(d.publish).toBe(false);
    expect(kinds(d)).toEqual([
      { kind: "test-result-missing", artifact: ARTIFACT, check: "ci:a" },
      { kind: "test-result-failed", artifact: ARTIFACT, check: "installability" },
      { kind: "test-result-missing", artifact: ARTIFACT, check: "size-budget" },
    ]);
    expect(d.satisfied).toEqual([]);
  });

  it("a check that is not required does not block, whatever its outcome", () => {
    const d = gate([check("size-budget", "PASSED"), check("installability", "PASSED"), check("ci:optional", "FAILED"), check("ci:other", "MISSING")]);
    expect(d.publish).toBe(true);
    expect(d.unsatisfied).toEqual([]);
    expect(d.satisfied.map((s) => s.check)).toEqual(["size-budget", "installability"]);
  });

  it("a result recorded for another artifact does not satisfy this one's requirement", () => {
    const d = gate([check("size-budget", "PASSED"), check("installability", "PASSED", "Xfce-Live")]);
    expect(d.publish).toBe(false);
    expect(kinds(d)).toEqual([{ kind: "test-result-missing", artifact: ARTIFACT, check: "installability" }]);
  });

  it("a build failure blocks, even with every check passed", () => {
    const d = gate([check("size-budget", "PASSED"), check("installability", "PASSED")], undefined, { built: false, buildError: "koji task 42 failed" });
    expect(d.publish).toBe(false);
    expect(d.unsatisfied).toEqual([{ kind: "build-failed", artifact: ARTIFACT, summary: "koji task 42 failed" }]);
    expect(d.satisfied).toEqual([]);
  });

  it("nothing required: published", () => {
    const d = gate([], []);
    expect(d.publish).toBe(true);
    expect(d.unsatisfied).toEqual([]);
  });
});
