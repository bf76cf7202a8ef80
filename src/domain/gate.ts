// The gate: may an artifact be published? Like a Greenwave decision, the answer lists what was
// required, what was satisfied and what was not, each with a kind and a subject.

export type CheckOutcome = "PASSED" | "FAILED" | "MISSING";

export interface CheckRecord {
  artifact: string;
  check: string;
  outcome: CheckOutcome;
  summary: string;
}

export type Unsatisfied =
  | { kind: "build-failed"; artifact: string; summary: string }
  | { kind: "test-result-failed"; artifact: string; check: string; summary: string }
  | { kind: "test-result-missing"; artifact: string; check: string; summary: string };

export interface GateDecision {
  artifact: string;
  publish: boolean;
  required: string[];
  satisfied: { artifact: string; check: string; summary: string }[];
  unsatisfied: Unsatisfied[];
  summary: string;
}

export interface GateInput {
  artifact: string;
  /** false when the artifact's build failed: nothing to publish */
  built: boolean;
  buildError?: string;
  required: readonly string[];
  checks: readonly CheckRecord[];
}

export function decideGate(input: GateInput): GateDecision {
  const { artifact } = input;
  const required = [...input.required];
  if (!input.built) {
    const unsatisfied: Unsatisfied[] = [{ kind: "build-failed", artifact, summary: input.buildError ?? "build failed" }];
    return { artifact, publish: false, required, satisfied: [], unsatisfied, summary: `not published: build failed` };
  }
  const satisfied: GateDecision["satisfied"] = [];
  const unsatisfied: Unsatisfied[] = [];
  for (const check of required) {
    const result = input.checks.find((c) => c.artifact === artifact && c.check === check);
    if (!result || result.outcome === "MISSING") {
      unsatisfied.push({ kind: "test-result-missing", artifact, check, summary: result?.summary ?? `no result for ${check}` });
    } else if (result.outcome === "FAILED") {
      unsatisfied.push({ kind: "test-result-failed", artifact, check, summary: result.summary });
    } else {
      satisfied.push({ artifact, check, summary: result.summary });
    }
  }
  const publish = unsatisfied.length === 0;
  return {
    artifact,
    publish,
    required,
    satisfied,
    unsatisfied,
    summary: publish
      ? `all ${required.length} required checks passed`
      : `${unsatisfied.length} of ${required.length} required checks not satisfied: ${unsatisfied.map((u) => ("check" in u ? `${u.check} (${u.kind})` : u.kind)).join(", ")}`,
  };
}
