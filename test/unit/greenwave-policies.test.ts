// Greenwave's policy YAML: Fedora's real policy files load unchanged; anything Greenwave would
// not understand (and any field it would silently ignore) is an error naming file, line, policy
// id and field.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { matchesProductVersion, onDemandPolicy, parsePolicyFile, parseRemotePolicies, PolicyError, type Policy } from "../../src/domain/greenwave/policies.js";
import { loadPolicyDirectory } from "../../src/gating/policy-dir.js";

const DIR = path.join(import.meta.dirname, "../fixtures/fedora/policies");
const FEDORA = path.join(DIR, "fedora-infra-ansible-greenwave-fedora.yaml");
const load = (file: string) => parsePolicyFile(file, fs.readFileSync(file, "utf8"));
const byId = (policies: Policy[], id: string) => policies.find((p) => p.id === id)!;
const errorOf = (fn: () => unknown): PolicyError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error("expected a PolicyError");
};

describe("Fedora's policy files", () => {
  it("the production policy loads: 17 policies, each as written", () => {
    const { policies } = load(FEDORA);
    expect(policies).toHaveLength(17);
    const compose = byId(policies, "compose_sync_requiredtests");
    expect(compose).toMatchObject({ productVersions: ["fedora-rawhide"], decisionContexts: ["rawhide_compose_sync_to_mirrors"], subjectTypes: ["compose"], rings: null, source: null });
    expect(compose.rules).toHaveLength(43);
    expect(compose.rules[0]).toEqual({ rule: "PassingTestCaseRule", testCaseName: "compose.cloud_autocloud", scenario: "fedora.Cloud_Base-qcow2-qcow2.x86_64.64bit", validSince: null, validUntil: null });
    expect(byId(policies, "kojibuild_bodhipush_remoterule").rules).toEqual([{ rule: "RemoteRule", sources: [], required: false }]);
    expect(byId(policies, "kojibuild_bodhipush_no_requirements").decisionContexts).toHaveLength(34);
    expect(byId(policies, "bodhiupdate_bodhipush_coreos").rules).toEqual([{ rule: "PassingTestCaseRule", testCaseName: "coreos.cosa.build-and-test", scenario: null, validSince: null, validUntil: null }]);
  });

  it("the whole directory loads: both policy files, Greenwave's subject types; the Jinja template is not a policy file", () => {
    const loaded = loadPolicyDirectory(DIR);
    expect(loaded.files.map((f) => path.basename(f))).toEqual([
      "fedora-infra-ansible-greenwave-fedora.yaml",
      "greenwave-subject-type-bodhi_update.yaml",
      "greenwave-subject-type-compose.yaml",
      "greenwave-subject-type-koji_build.yaml",
      "greenwave-upstream-example-fedora.yaml",
    ]);
    expect(loaded.policies).toHaveLength(17 + 13);
    const koji = loaded.subjectTypes.find((t) => t.id === "koji_build")!;
    expect(koji).toMatchObject({ aliases: ["brew-build"], isNvr: true, isKojiBuild: true, itemKey: "original_spec_nvr" });
    expect(koji.resultQueries).toEqual([{ item_key: "item", keys: { type: "koji_build,brew-build" } }, { item_key: "original_spec_nvr" }]);
    expect(loaded.subjectTypes.find((t) => t.id === "compose")!.itemDict).toEqual({ item_key: "productmd.compose.id" });
    expect(loaded.subjectTypes.find((t) => t.id === "bodhi_update")!.ignoreMissingPolicy).toBe(true);
  });

  it("product_versions are fnmatch patterns", () => {
    const p = byId(load(FEDORA).policies, "kojibuild_bodhipush_no_requirements");
    expect(["fedora-41", "fedora-rawhide", "fedora-"].map((v) => matchesProductVersion(p, v))).toEqual([true, true, true]);
    expect(["epel-9", "Fedora-41", "xfedora-41"].map((v) => matchesProductVersion(p, v))).toEqual([false, false, false]);
  });
});

describe("what Greenwave would not take is an error naming file, line, policy and field", () => {
  const policy = (body: string) => `# a comment\n--- !Policy\nid: "ring0_compose"\nproduct_versions: [fedora-rawhide]\n${body}`;

  it("an unknown field (Greenwave would ignore it; a typo must not silently drop a requirement)", () => {
    const e = errorOf(() => parsePolicyFile("p.yaml", policy("decision_context: c\nsubject_type: compose\nrules: []\nexcluded_package: [kernel]\n")));
    expect(e.message).toBe('p.yaml:8: policy "ring0_compose": field "excluded_package": unknown field (expected one of id, product_versions, decision_context, decision_contexts, subject_type, subject_types, rules, excluded_packages, packages, relevance_key, relevance_value, rings)');
    expect([e.file, e.line, e.policyId, e.field]).toEqual(["p.yaml", 8, "ring0_compose", "excluded_package"]);
  });

  it("an unknown rule tag, and an unknown field in a rule", () => {
    const tag = errorOf(() => parsePolicyFile("p.yaml", policy("decision_context: c\nsubject_type: compose\nrules:\n  - !PassingTestcaseRule {test_case_name: a}\n")));
    expect(tag.message).toBe('p.yaml:8: policy "ring0_compose": field "rules": unknown rule tag !PassingTestcaseRule (expected !PassingTestCaseRule or !RemoteRule)');
    const field = errorOf(() => parsePolicyFile("p.yaml", policy("decision_context: c\nsubject_type: compose\nrules:\n  - !PassingTestCaseRule {test_case_name: a, senario: x}\n")));
    expect(field.message).toMatch(/^p\.yaml:8: policy "ring0_compose": field "senario": unknown field/);
  });

  it("an unknown document tag, an obsolete rule, a rule list that is not tagged", () => {
    expect(errorOf(() => parsePolicyFile("p.yaml", "--- !Polcy\nid: x\n")).message).toBe("p.yaml:2: a document tagged !Polcy cannot stand at the top level (expected !Policy or !SubjectType)");
    expect(errorOf(() => parsePolicyFile("p.yaml", policy("decision_context: c\nsubject_type: koji_build\nrules:\n  - !PackageSpecificBuild {test_case_name: a}\n"))).message).toBe(
      'p.yaml:8: policy "ring0_compose": field "rules": !PackageSpecificBuild is obsolete. Please use the "packages" allowlist instead.',
    );
    expect(errorOf(() => parsePolicyFile("p.yaml", policy("decision_context: c\nsubject_type: compose\nrules:\n  - {test_case_name: a}\n"))).reason).toMatch(/expected a list of rules/);
  });

  it("Greenwave's validation: required fields, one of subject_type(s), one of decision_context(s), list items are strings", () => {
    expect(errorOf(() => parsePolicyFile("p.yaml", policy("decision_context: c\nsubject_type: compose\n"))).message).toBe('p.yaml:3: policy "ring0_compose": field "rules": is required');
    expect(errorOf(() => parsePolicyFile("p.yaml", policy("decision_context: c\nrules: []\n"))).field).toBe("subject_type");
    expect(errorOf(() => parsePolicyFile("p.yaml", policy("decision_context: c\ndecision_contexts: [d]\nsubject_type: compose\nrules: []\n"))).reason).toBe('both properties "decision_contexts" and "decision_context" were set');
    expect(errorOf(() => parsePolicyFile("p.yaml", "--- !Policy\nid: x\nproduct_versions: [41]\ndecision_context: c\nsubject_type: compose\nrules: []\n")).message).toBe('p.yaml:3: policy "x": field "product_versions": expected a list of strings, got 41');
    expect(errorOf(() => parsePolicyFile("p.yaml", "--- !Policy\nid: x\nproduct_versions: [a\n")).message).toMatch(/^p\.yaml:4: YAML parser error: Flow sequence/);
  });

  it("relengotron's extension: rings", () => {
    const { policies } = parsePolicyFile("p.yaml", policy("decision_context: c\nsubject_type: compose\nrings: [ring-0, ring-1]\nrules: []\n"));
    expect(policies[0]!.rings).toEqual(["ring-0", "ring-1"]);
  });
});

describe("remote (gating.yaml) and on-demand policies", () => {
  it("a gating.yaml defaults to every product version and subject type, and may not hold a RemoteRule", () => {
    const [p] = parseRemotePolicies("https://src.fedoraproject.org/rpms/bash/raw/abc/f/gating.yaml", "--- !Policy\ndecision_contexts: [bodhi_update_push_stable]\nrules:\n  - !PassingTestCaseRule {test_case_name: fedora-ci.koji-build.tier0.functional}\n");
    expect(p).toMatchObject({ kind: "remote", id: null, productVersions: ["*"], subjectTypes: ["*"], source: "https://src.fedoraproject.org/rpms/bash/raw/abc/f/gating.yaml" });
    expect(errorOf(() => parseRemotePolicies("g.yaml", "--- !Policy\ndecision_context: x\nrules:\n  - !RemoteRule {}\n")).reason).toBe("RemoteRule is not allowed in remote policies");
  });

  it("on-demand rules come as JSON dicts with a type", () => {
    const p = onDemandPolicy({ product_version: "fedora-41", subject_type: "koji_build", rules: [{ type: "PassingTestCaseRule", test_case_name: "dist.abicheck" }], excluded_packages: ["python2-*"] });
    expect(p).toMatchObject({ kind: "on-demand", id: "on-demand-policy", productVersions: ["fedora-41"], excludedPackages: ["python2-*"] });
    expect(p.rules).toEqual([{ rule: "PassingTestCaseRule", testCaseName: "dist.abicheck", scenario: null, validSince: null, validUntil: null }]);
  });
});
