// Cases from Greenwave's own test suite (greenwave/tests/test_policies.py at 8bde5e81), translated
// to relengotron's engine: the same policies, results and waivers must give the same answers.
import { describe, expect, it } from "vitest";
import { decide, prepareDecision, subjectKey, summarize, type Answer, type GwResult, type GwWaiver, type RemoteRuleFile } from "../../src/domain/greenwave/decision.js";
import { DEFAULT_SUBJECT_TYPES, parsePolicyFile } from "../../src/domain/greenwave/policies.js";

const policy = (yaml: string) => parsePolicyFile("test.yaml", yaml).policies;
const pass = (testcase: string, outcome = "PASSED", id = 1): GwResult => ({ id, outcome, testcase: { name: testcase }, data: {}, submit_time: "2026-12-03T00:00:00.000000" });
const waiverFor = (subject_type: string, subject_identifier: string, testcase: string, product_version: string): GwWaiver => ({ id: 1, subject_type, subject_identifier, testcase, product_version, waived: true });

function types(body: Record<string, unknown>, yaml: string, ev: { results?: GwResult[]; waivers?: GwWaiver[]; remote?: RemoteRuleFile } = {}) {
  const prepared = prepareDecision(body, DEFAULT_SUBJECT_TYPES);
  const key = subjectKey(prepared.subjects[0]!);
  const d = decide(prepared, policy(yaml), {
    results: new Map([[key, ev.results ?? []]]),
    waivers: new Map([[key, ev.waivers ?? []]]),
    remoteRules: ev.remote ? new Map([[key, ev.remote]]) : undefined,
  });
  return [...d.satisfied_requirements, ...d.unsatisfied_requirements].map((r) => r.type);
}
const one = (id: string, pv: string, context: string, subjectType: string, rules: string, extra = "") =>
  `--- !Policy\nid: "${id}"\nproduct_versions:\n  - ${pv}\ndecision_context: ${context}\nsubject_type: ${subjectType}\n${extra}rules:\n${rules}\n`;

describe("Greenwave's test_policies.py, translated", () => {
  it("test_summarize_answers", () => {
    const subject = { type: DEFAULT_SUBJECT_TYPES[0]!, identifier: "nvr" };
    const passed: Answer = { kind: "passed", subject, testcase: "test", source: null, resultId: 1, data: {} };
    const failed: Answer = { kind: "failed", subject, testcase: "test", source: null, resultId: 1, data: {} };
    const missing: Answer = { kind: "missing", subject, testcase: "test", scenario: null, source: null };
    expect(summarize([passed])).toBe("All required tests (1 total) have passed or been waived");
    expect(summarize([failed, passed])).toBe("Of 2 required tests, 1 test failed");
    expect(summarize([missing])).toBe("Of 1 required test, 1 result missing");
    expect(summarize([failed, missing])).toBe("Of 2 required tests, 1 result missing, 1 test failed");
    expect(summarize([failed, missing, missing])).toBe("Of 3 required tests, 2 results missing, 1 test failed");
    expect(summarize([missing, passed])).toBe("Of 2 required tests, 1 result missing");
  });

  it("test_decision_with_missing_result", () => {
    const yaml = one("rawhide_compose_sync_to_mirrors", "fedora-rawhide", "rawhide_compose_sync_to_mirrors", "compose", "  - !PassingTestCaseRule {test_case_name: sometest}");
    expect(types({ decision_context: "rawhide_compose_sync_to_mirrors", product_version: "fedora-rawhide", subject_type: "compose", subject_identifier: "some_nevr" }, yaml)).toEqual(["test-result-missing"]);
  });

  it.each(["koji_build", "bodhi_update"])("test_waive_brew_koji_mismatch / test_waive_bodhi_update (%s)", (subjectType) => {
    const yaml = one("some_id", "fedora-rawhide", "test", subjectType, "  - !PassingTestCaseRule {test_case_name: sometest}");
    const body = { decision_context: "test", product_version: "fedora-rawhide", subject_type: subjectType, subject_identifier: "some_nevr" };
    expect(types(body, yaml, { results: [pass("sometest", "FAILED")] })).toEqual(["test-result-failed"]);
    expect(types(body, yaml, { results: [pass("sometest", "FAILED")], waivers: [waiverFor(subjectType, "some_nevr", "sometest", "fedora-rawhide")] })).toEqual(["test-result-failed-waived"]);
  });

  it("test_waive_brew_koji_mismatch: a brew-build waiver matches a koji_build subject (alias)", () => {
    const yaml = one("some_id", "fedora-rawhide", "test", "koji_build", "  - !PassingTestCaseRule {test_case_name: sometest}");
    const body = { decision_context: "test", product_version: "fedora-rawhide", subject_type: "koji_build", subject_identifier: "some-nevr-1.fc46" };
    expect(types(body, yaml, { results: [pass("sometest", "FAILED")], waivers: [waiverFor("brew-build", "some-nevr-1.fc46", "sometest", "fedora-rawhide")] })).toEqual(["test-result-failed-waived"]);
  });

  it.each([
    ["fedora-27", true],
    ["fedora-28", true],
    ["epel-7", false],
  ])("test_product_versions_pattern (%s)", (pv, applies) => {
    const yaml = one("dummy_policy", "fedora-*", "dummy_context", "bodhi_update", "  - !PassingTestCaseRule {test_case_name: test}");
    const prepared = prepareDecision({ decision_context: "dummy_context", product_version: pv, subject_type: "bodhi_update", subject_identifier: "FEDORA-2018-1" }, DEFAULT_SUBJECT_TYPES);
    const d = decide(prepared, policy(yaml), { results: new Map(), waivers: new Map() });
    expect(d.applicable_policies).toEqual(applies ? ["dummy_policy"] : []);
  });

  it.each([
    ["nethack", ["test-result-passed"]],
    ["net*", ["test-result-passed"]],
    ["python-requests", []],
  ])("test_policy_with_packages_allowlist (%s)", (pkg, expected) => {
    const yaml = one("some_policy", "rhel-9000", "test", "koji_build", "  - !PassingTestCaseRule {test_case_name: sometest}", `packages:\n- ${pkg}\n`);
    expect(types({ decision_context: "test", product_version: "rhel-9000", subject_type: "koji_build", subject_identifier: "nethack-1.2.3-1.el9000" }, yaml, { results: [pass("sometest")] })).toEqual(expected);
  });

  it("test_decision_multiple_contexts", () => {
    const yaml =
      one("some_policy", "rhel-9000", "bodhi_update_push_stable", "kind-of-magic", "  - !PassingTestCaseRule {test_case_name: sometest}") +
      one("some_other_policy", "rhel-9000", "some_other_context", "kind-of-magic", "  - !PassingTestCaseRule {test_case_name: someothertest}");
    const body = { decision_context: ["bodhi_update_push_stable", "some_other_context"], product_version: "rhel-9000", subject_type: "kind-of-magic", subject_identifier: "nethack-1.2.3-1.el9000" };
    expect(types(body, yaml, { results: [pass("sometest")] })).toEqual(["test-result-passed", "test-result-missing"]);
  });

  describe("remote rules", () => {
    const nvr = "nethack-1.2.3-1.el9000";
    const url = "https://src.fedoraproject.org/rpms/nethack/raw/c3c47a08a66451cb9686c49f040776ed35a0d1bb/f/gating.yaml";
    const body = (pv: string) => ({ decision_context: "bodhi_update_push_stable_with_remoterule", product_version: pv, subject_type: "koji_build", subject_identifier: nvr });

    it("test_two_rules_no_duplicate", () => {
      const server = one("taskotron_release_critical_tasks_with_remoterule", "fedora-31", "bodhi_update_push_stable_with_remoterule", "koji_build", "  - !RemoteRule {}\n  - !PassingTestCaseRule {test_case_name: dist.upgradepath}");
      const remote: RemoteRuleFile = { found: true, url, text: '--- !Policy\nid: "some-policy-from-a-random-packager"\nproduct_versions:\n  - fedora-31\ndecision_context: bodhi_update_push_stable_with_remoterule\nrules:\n  - !PassingTestCaseRule {test_case_name: dist.upgradepath}\n' };
      // satisfied answers come first in the response; Greenwave's answer order is fetched, then the result
      expect(types(body("fedora-31"), server, { remote, results: [pass("dist.upgradepath")] })).toEqual(["fetched-gating-yaml", "test-result-passed"]);
      expect(types(body("fedora-31"), server, { remote })).toEqual(["fetched-gating-yaml", "test-result-missing"]);
      expect(types(body("fedora-31"), server, { remote, results: [pass("dist.upgradepath", "FAILED")] })).toEqual(["fetched-gating-yaml", "test-result-failed"]);
    });

    const server = one("taskotron_release_critical_tasks_with_remoterule", "fedora-26", "bodhi_update_push_stable_with_remoterule", "koji_build", "  - !RemoteRule {}");
    const malformed = [
      '--- !Policy\n   : "some-policy-from-a-random-packager"\nproduct_versions:\n  - fedora-26\ndecision_context: bodhi_update_push_stable_with_remoterule\nexcluded_packages: []\nrules:\n  - !PassingTestCaseRule {test_case_name: dist.upgradepath}\n',
      '--- !Policy\nid: "some-policy-from-a-random-packager"\nproduct_versions:\n  - fedora-26\ndecision_context: bodhi_update_push_stable_with_remoterule\nrules:\n  - !RemoteRule {test_case_name: dist.upgradepath}\n',
    ];
    it.each(malformed.map((m, i) => [i, m]))("test_remote_rule_malformed_yaml (%i), and waived (test_remote_rule_malformed_yaml_with_waiver)", (_i, text) => {
      const remote: RemoteRuleFile = { found: true, url, text };
      expect(types(body("fedora-26"), server, { remote })).toEqual(["fetched-gating-yaml", "invalid-gating-yaml"]);
      // a waived remote-rule error disappears from the answers
      expect(types(body("fedora-26"), server, { remote, waivers: [waiverFor("koji_build", nvr, "invalid-gating-yaml", "fedora-26")] })).toEqual(["fetched-gating-yaml"]);
    });

    it("test_remote_rule_required", () => {
      const yaml = one("test", "fedora-rawhide", "test", "koji_build", "  - !RemoteRule {required: true}");
      expect(types({ decision_context: "test", product_version: "fedora-rawhide", subject_type: "koji_build", subject_identifier: nvr }, yaml, { remote: { found: false, urls: [url] } })).toEqual(["missing-gating-yaml"]);
    });
  });
});
