// The policies relengotron ships (config/policies/) with the rings it ships (config/rings/): an
// artifact containing a core package is held to ring 0's tests, one of ring-2 packages only to
// installability; a missing required result blocks the first while the same results pass the second.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decide, prepareDecision, subjectKey, type GwResult } from "../../src/domain/greenwave/decision.js";
import { parseRingsFile, strictestRing } from "../../src/domain/rings.js";
import { gatingSources } from "../../src/gating/sources.js";

const root = path.join(import.meta.dirname, "../..");
const rings = parseRingsFile("fedora-rawhide.yaml", fs.readFileSync(path.join(root, "config/rings/fedora-rawhide.yaml"), "utf8"), ["Fedora-Rawhide"]);
const sources = gatingSources({ policiesDir: path.join(root, "config/policies"), resultsdbApi: "http://127.0.0.1:1/api/v2.0" })!;

function decideFor(packages: string[], nvr: string, results: GwResult[]) {
  const { ring } = strictestRing(rings, packages);
  const prepared = prepareDecision({ decision_context: "relengotron_artifact_publish", product_version: "fedora-rawhide", subject_type: "koji_build", subject_identifier: nvr, ring }, sources.subjectTypes);
  return { ring, decision: decide(prepared, sources.policies, { results: new Map([[subjectKey(prepared.subjects[0]!), results]]), waivers: new Map() }) };
}
const passed = (testcase: string, nvr: string, id: number): GwResult => ({ id, outcome: "PASSED", testcase: { name: testcase }, data: { item: [nvr], type: ["koji_build"] }, submit_time: "2026-12-03T10:00:00.000000" });

describe("config/policies with config/rings", () => {
  it("loads; without a policies directory or a ResultsDB there is nothing to decide with", () => {
    expect(sources.policies.map((p) => [p.id, p.rings])).toEqual([
      ["relengotron_artifact_core_rings", ["ring-0", "ring-1"]],
      ["relengotron_artifact_ring_2", ["ring-2"]],
    ]);
    expect(gatingSources({ policiesDir: path.join(root, "config/no-such-dir"), resultsdbApi: "http://x/api/v2.0" })).toBeUndefined();
    expect(gatingSources({ policiesDir: path.join(root, "config/policies"), resultsdbApi: undefined })).toBeUndefined();
  });

  it("a ring-0 artifact missing a required result is blocked; a ring-2 artifact with the same results passes", () => {
    const ws = "Fedora-Workstation-Live-Rawhide-20261203.n.0";
    const core = decideFor(["glibc", "gnome-shell", "xfwm4"], ws, [passed("relengotron.installability", ws, 1), passed("relengotron.size-budget", ws, 2)]);
    expect(core.ring).toBe("ring-0");
    expect(core.decision).toMatchObject({ policies_satisfied: false, applicable_policies: ["relengotron_artifact_core_rings"], summary: "Of 3 required tests, 1 result missing" });
    expect(core.decision.unsatisfied_requirements.map((r) => r.testcase)).toEqual(["compose.install_default"]);
    const foo = "Fedora-Foo-Container-Rawhide-20261203.n.0";
    const rest = decideFor(["foo-cli", "python-requests"], foo, [passed("relengotron.installability", foo, 3), passed("relengotron.size-budget", foo, 4)]);
    expect(rest.ring).toBe("ring-2");
    expect(rest.decision).toMatchObject({ policies_satisfied: true, applicable_policies: ["relengotron_artifact_ring_2"], summary: "All required tests (1 total) have passed or been waived" });
  });
});
