// Greenwave decisions over Fedora's real policies. Every expected answer below was worked out by
// hand from the policy text and Greenwave's rules (greenwave/decision.py, policies.py, waivers.py):
// the newest result per testcase and scenario counts, QUEUED/RUNNING count as missing, ERROR is not
// FAILED, a waiver must match subject, testcase, scenario (when it names one) and product version.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { decide, DecisionError, prepareDecision, subjectKey, type Evidence, type GwResult, type GwWaiver, type RemoteRuleFile } from "../../src/domain/greenwave/decision.js";
import { parsePolicyFile } from "../../src/domain/greenwave/policies.js";
import { loadPolicyDirectory } from "../../src/gating/policy-dir.js";

const DIR = path.join(import.meta.dirname, "../fixtures/fedora/policies");
const all = loadPolicyDirectory(DIR);
const fedora = all.policies.filter((p) => p.origin.file.endsWith("fedora-infra-ansible-greenwave-fedora.yaml"));
const upstream = all.policies.filter((p) => p.origin.file.endsWith("greenwave-upstream-example-fedora.yaml"));
const types = all.subjectTypes;

let nextId = 1000;
let clock = Date.parse("2026-12-03T06:00:00Z");
/** a result as openQA reports a compose test: newest last in the call order */
function result(testcase: string, outcome: string, data: Record<string, string> = {}, extra: Partial<GwResult> = {}): GwResult {
  clock += 60_000;
  return {
    id: nextId++,
    outcome,
    testcase: { name: testcase },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, [v]])),
    submit_time: new Date(clock).toISOString().replace("Z", ""),
    ...extra,
  };
}
let waiverId = 1;
const waiver = (w: Partial<GwWaiver> & Pick<GwWaiver, "subject_type" | "subject_identifier" | "testcase" | "product_version">): GwWaiver => ({ id: waiverId++, waived: true, scenario: null, comment: "ok", username: "releng", ...w });

function run(body: Record<string, unknown>, policies = fedora, evidence: { results?: GwResult[]; waivers?: GwWaiver[]; remote?: RemoteRuleFile } = {}) {
  const prepared = prepareDecision(body, types);
  const key = subjectKey(prepared.subjects[0]!);
  const ev: Evidence = {
    results: new Map([[key, evidence.results ?? []]]),
    waivers: new Map([[key, evidence.waivers ?? []]]),
    remoteRules: evidence.remote ? new Map([[key, evidence.remote]]) : undefined,
  };
  return decide(prepared, policies, ev);
}
const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecisionError) return { status: e.status, message: e.message };
    throw e;
  }
  throw new Error("expected a DecisionError");
};

const COMPOSE = "Fedora-Rawhide-20261203.n.0";
const composeRequest = { decision_context: "rawhide_compose_sync_to_mirrors", product_version: "fedora-rawhide", subject_type: "compose", subject_identifier: COMPOSE };
const requiredTests = fedora.find((p) => p.id === "compose_sync_requiredtests")!.rules.map((r) => (r.rule === "PassingTestCaseRule" ? { testcase: r.testCaseName, scenario: r.scenario! } : null)).filter((r) => r !== null);
const composeData = (scenario: string) => ({ "productmd.compose.id": COMPOSE, scenario, item: COMPOSE, type: "compose" });
const key = (t: { testcase: string; scenario: string }) => `${t.testcase} ${t.scenario}`;

/** every one of compose_sync_requiredtests' 43 tests passed, except those given */
function composeResults(special: Record<string, GwResult[] | null>): GwResult[] {
  return requiredTests.flatMap((t) => (key(t) in special ? (special[key(t)] ?? []) : [result(t.testcase, "PASSED", composeData(t.scenario))]));
}

describe("a Rawhide compose against compose_sync_requiredtests (43 openQA tests)", () => {
  const failedThenPassed = "compose.install_default fedora.Everything-boot-iso.x86_64.bios";
  const passedThenFailed = "compose.desktop_browser fedora.Workstation-live-iso.x86_64.64bit";
  const running = "compose.install_sata fedora.Server-dvd-iso.x86_64.bios";
  const errored = "compose.cloud_autocloud fedora.Cloud_Base-qcow2-qcow2.x86_64.64bit";
  const missing = "compose.install_multi fedora.Server-dvd-iso.x86_64.bios";
  const special = () => {
    const first = result("compose.install_default", "FAILED", composeData("fedora.Everything-boot-iso.x86_64.bios"));
    const second = result("compose.install_default", "PASSED", composeData("fedora.Everything-boot-iso.x86_64.bios"));
    const browserOk = result("compose.desktop_browser", "PASSED", composeData("fedora.Workstation-live-iso.x86_64.64bit"));
    const browserBad = result("compose.desktop_browser", "FAILED", composeData("fedora.Workstation-live-iso.x86_64.64bit"));
    return {
      // given oldest first; the decision must not depend on the order ResultsDB lists them in
      [failedThenPassed]: [second, first],
      [passedThenFailed]: [browserOk, browserBad],
      [running]: [result("compose.install_sata", "RUNNING", composeData("fedora.Server-dvd-iso.x86_64.bios"))],
      [errored]: [result("compose.cloud_autocloud", "ERROR", composeData("fedora.Cloud_Base-qcow2-qcow2.x86_64.64bit"), { error_reason: "openQA worker died" })],
      [missing]: null,
    };
  };

  it("all passed: satisfied", () => {
    const d = run(composeRequest, fedora, { results: composeResults({}) });
    expect(d).toMatchObject({ policies_satisfied: true, summary: "All required tests (43 total) have passed or been waived", applicable_policies: ["compose_sync_requiredtests"], unsatisfied_requirements: [] });
    expect(d.satisfied_requirements).toHaveLength(43);
    expect(d.satisfied_requirements[0]).toEqual({
      type: "test-result-passed",
      testcase: "compose.cloud_autocloud",
      subject_type: "compose",
      subject_identifier: COMPOSE,
      source: null,
      result_id: expect.any(Number),
      scenario: "fedora.Cloud_Base-qcow2-qcow2.x86_64.64bit",
      system_architecture: null,
      system_variant: null,
    });
    expect("waivers" in d).toBe(false);
  });

  it("the newest result counts; RUNNING is missing (with its result), ERROR is errored, not failed", () => {
    const s = special();
    const d = run(composeRequest, fedora, { results: composeResults(s) });
    expect(d.policies_satisfied).toBe(false);
    expect(d.summary).toBe("Of 43 required tests, 1 result missing, 1 test errored, 1 test failed, 1 test incomplete");
    expect(d.satisfied_requirements).toHaveLength(39);
    const item = { "productmd.compose.id": COMPOSE };
    const subject = { subject_type: "compose", subject_identifier: COMPOSE, source: null };
    const more = { system_architecture: null, system_variant: null };
    expect(d.unsatisfied_requirements).toEqual([
      { type: "test-result-errored", testcase: "compose.cloud_autocloud", ...subject, result_id: s[errored]![0]!.id, error_reason: "openQA worker died", item, scenario: "fedora.Cloud_Base-qcow2-qcow2.x86_64.64bit", ...more },
      { type: "test-result-failed", testcase: "compose.desktop_browser", ...subject, result_id: s[passedThenFailed]![1]!.id, item, scenario: "fedora.Workstation-live-iso.x86_64.64bit", ...more },
      { type: "test-result-missing", testcase: "compose.install_multi", subject_type: "compose", subject_identifier: COMPOSE, scenario: "fedora.Server-dvd-iso.x86_64.bios", source: null, item },
      { type: "test-result-missing", testcase: "compose.install_sata", ...subject, result_id: s[running]![0]!.id, item, scenario: "fedora.Server-dvd-iso.x86_64.bios", ...more },
    ]);
    const installDefault = d.satisfied_requirements.find((r) => r.testcase === "compose.install_default" && r.scenario === "fedora.Everything-boot-iso.x86_64.bios");
    expect(installDefault).toMatchObject({ type: "test-result-passed", result_id: s[failedThenPassed]![0]!.id });
  });

  it("waivers apply by subject, testcase, scenario and product version; satisfied with -waived types", () => {
    const s = special();
    const waivers = [
      // does not apply: another scenario, another product version, another compose
      waiver({ subject_type: "compose", subject_identifier: COMPOSE, testcase: "compose.desktop_browser", scenario: "fedora.KDE-live-iso.x86_64.64bit", product_version: "fedora-rawhide" }),
      waiver({ subject_type: "compose", subject_identifier: COMPOSE, testcase: "compose.cloud_autocloud", product_version: "fedora-41" }),
      waiver({ subject_type: "compose", subject_identifier: "Fedora-Rawhide-20261202.n.0", testcase: "compose.install_sata", product_version: "fedora-rawhide" }),
      // applies: the failed browser test in its scenario; the missing install_multi in any scenario
      waiver({ id: 71, subject_type: "compose", subject_identifier: COMPOSE, testcase: "compose.desktop_browser", scenario: "fedora.Workstation-live-iso.x86_64.64bit", product_version: "fedora-rawhide" }),
      waiver({ id: 72, subject_type: "compose", subject_identifier: COMPOSE, testcase: "compose.install_multi", product_version: "fedora-rawhide" }),
      // waived: false revokes nothing here, and never waives
      waiver({ subject_type: "compose", subject_identifier: COMPOSE, testcase: "compose.install_sata", product_version: "fedora-rawhide", waived: false }),
    ];
    const d = run({ ...composeRequest, verbose: true }, fedora, { results: composeResults(s), waivers });
    expect(d.summary).toBe("Of 43 required tests, 1 test errored, 1 test incomplete");
    expect(d.unsatisfied_requirements.map((r) => r.testcase)).toEqual(["compose.cloud_autocloud", "compose.install_sata"]);
    expect(d.satisfied_requirements.filter((r) => String(r.type).endsWith("-waived"))).toEqual([
      { type: "test-result-failed-waived", testcase: "compose.desktop_browser", subject_type: "compose", subject_identifier: COMPOSE, source: null, result_id: s[passedThenFailed]![1]!.id, scenario: "fedora.Workstation-live-iso.x86_64.64bit", system_architecture: null, system_variant: null, waiver_id: 71 },
      { type: "test-result-missing-waived", testcase: "compose.install_multi", subject_type: "compose", subject_identifier: COMPOSE, scenario: "fedora.Server-dvd-iso.x86_64.bios", source: null, waiver_id: 72 },
    ]);
    // verbose: the subject's waivers for this product version that waive, and its counted results
    expect(d.waivers!.map((w) => w.id)).toEqual([waivers[0]!.id, 71, 72]);
    // the newest per testcase and scenario: 43 tests, one without a result
    expect(d.results).toHaveLength(42);
  });

  it("ignore_result drops the newest result (ResultsDB answered only that one: the result is missing); ignore_waiver drops a waiver", () => {
    const s = special();
    const newest = s[failedThenPassed]![0]!;
    const d = run({ ...composeRequest, ignore_result: [newest.id] }, fedora, { results: composeResults(s) });
    expect(d.unsatisfied_requirements.map((r) => `${r.type} ${r.testcase} ${r.scenario}`)).toContain("test-result-missing compose.install_default fedora.Everything-boot-iso.x86_64.bios");
    const w = waiver({ subject_type: "compose", subject_identifier: COMPOSE, testcase: "compose.install_multi", product_version: "fedora-rawhide" });
    expect(run(composeRequest, fedora, { results: composeResults(s), waivers: [w] }).summary).toBe("Of 43 required tests, 1 test errored, 1 test failed, 1 test incomplete");
    expect(run({ ...composeRequest, ignore_waiver: [w.id] }, fedora, { results: composeResults(s), waivers: [w] }).summary).toBe("Of 43 required tests, 1 result missing, 1 test errored, 1 test failed, 1 test incomplete");
  });

  it("no applicable policy: 404 with Greenwave's message (a compose outside Rawhide)", () => {
    expect(failure(() => run({ ...composeRequest, product_version: "fedora-41" }))).toEqual({
      status: 404,
      message: "Found no applicable policies for compose subjects at gating point(s) rawhide_compose_sync_to_mirrors in fedora-41",
    });
  });
});

describe("Bodhi's questions", () => {
  const UPDATE = "FEDORA-2026-3f2a8b1c9d";
  const update = (context: string | string[]) => ({ decision_context: context, product_version: "fedora-41", subject_type: "bodhi_update", subject_identifier: UPDATE });
  const updateResult = (testcase: string, scenario: string, outcome = "PASSED") => result(testcase, outcome, { item: UPDATE, type: "bodhi_update", scenario });

  it("a critical-path apps update: 6 openQA tests plus the null policy", () => {
    const apps = fedora.find((p) => p.id === "bodhiupdate_bodhipush_openqa_apps")!;
    const results = apps.rules.map((r) => (r.rule === "PassingTestCaseRule" ? updateResult(r.testCaseName, r.scenario!) : null)).filter((r) => r !== null);
    const d = run(update("bodhi_update_push_stable_critical-path-apps_critpath"), fedora, { results });
    expect(d).toMatchObject({ policies_satisfied: true, summary: "All required tests (6 total) have passed or been waived", applicable_policies: ["bodhiupdate_bodhipush_no_requirements", "bodhiupdate_bodhipush_openqa_apps"] });
  });

  it("policies are additive, and a rule two policies share is checked once", () => {
    // apps (6) + workstation (10) + workstation_background (1) + workstation_live (3) +
    // upgrade_workstation (1); update.desktop_browser in fedora.updates-workstation.x86_64.64bit is
    // in both apps and workstation: 20 tests
    const d = run(update(["bodhi_update_push_stable_critical-path-apps_critpath", "bodhi_update_push_stable_critical-path-gnome_critpath"]));
    expect(d.applicable_policies).toEqual([
      "bodhiupdate_bodhipush_no_requirements",
      "bodhiupdate_bodhipush_openqa_apps",
      "bodhiupdate_bodhipush_openqa_workstation",
      "bodhiupdate_bodhipush_openqa_workstation_background",
      "bodhiupdate_bodhipush_openqa_workstation_live",
      "bodhiupdate_bodhipush_openqa_upgrade_workstation",
    ]);
    expect(d.summary).toBe("Of 20 required tests, 20 results missing");
    expect(d.unsatisfied_requirements.filter((r) => r.testcase === "update.desktop_browser").map((r) => r.scenario)).toEqual(["fedora.updates-workstation.x86_64.64bit", "fedora.updates-kde.x86_64.64bit"]);
  });

  it("bodhi_update ignores a missing policy: satisfied, nothing required", () => {
    expect(run(update("bodhi_update_push_stable_not_a_context"))).toEqual({ policies_satisfied: true, summary: "No tests are required", satisfied_requirements: [], unsatisfied_requirements: [], applicable_policies: [] });
  });

  it("a koji_build for Bodhi: the null policy and the RemoteRule; without a gating.yaml nothing is required", () => {
    const build = { decision_context: "bodhi_update_push_stable", product_version: "fedora-41", subject_type: "koji_build", subject_identifier: "bash-5.2.37-1.fc41" };
    expect(run(build)).toMatchObject({ policies_satisfied: true, summary: "No tests are required", applicable_policies: ["kojibuild_bodhipush_no_requirements", "kojibuild_bodhipush_remoterule"] });
    // with the package's gating.yaml: its rules join in, their source is the file
    const url = "https://src.fedoraproject.org/rpms/bash/raw/0123abc/f/gating.yaml";
    const gating = "--- !Policy\nproduct_versions: [fedora-*]\ndecision_contexts: [bodhi_update_push_stable, bodhi_update_push_testing]\nrules:\n  - !PassingTestCaseRule {test_case_name: fedora-ci.koji-build.tier0.functional}\n";
    const d = run(build, fedora, { remote: { found: true, url, text: gating } });
    expect(d.summary).toBe("Of 1 required test, 1 result missing");
    expect(d.satisfied_requirements).toEqual([{ type: "fetched-gating-yaml", testcase: "fetched-gating-yaml", subject_type: "koji_build", subject_identifier: "bash-5.2.37-1.fc41", source: url }]);
    expect(d.unsatisfied_requirements).toEqual([
      { type: "test-result-missing", testcase: "fedora-ci.koji-build.tier0.functional", subject_type: "koji_build", subject_identifier: "bash-5.2.37-1.fc41", scenario: null, source: url, item: { type: "koji_build", item: "bash-5.2.37-1.fc41" } },
    ]);
    const broken = run(build, fedora, { remote: { found: true, url, text: "--- !Policy\nrules: []\n" } });
    expect(broken.unsatisfied_requirements[0]).toMatchObject({ type: "invalid-gating-yaml", testcase: "invalid-gating-yaml", source: url });
    expect(broken.summary).toBe("1 error due to invalid remote rule file");
  });
});

describe("Greenwave's example policy: excluded packages and scenarios", () => {
  const build = (nvr: string) => ({ decision_context: "bodhi_update_push_stable", product_version: "fedora-26", subject_type: "koji_build", subject_identifier: nvr });
  const kojiResult = (nvr: string, testcase: string, outcome: string) => result(testcase, outcome, { item: nvr, type: "koji_build" });

  it("an excluded package skips that policy (the answer says so); the others still apply", () => {
    const nvr = "firefox-55.0-1.fc26";
    const d = run(build(nvr), upstream, { results: [kojiResult(nvr, "dist.rpmdeplint", "PASSED"), kojiResult(nvr, "dist.upgradepath", "FAILED")] });
    expect(d.applicable_policies).toEqual(["taskotron_release_critical_tasks_with_blocklist", "taskotron_release_critical_tasks"]);
    expect(d.summary).toBe("Of 2 required tests, 1 test failed");
    expect(d.satisfied_requirements[0]).toEqual({ type: "excluded", subject_identifier: nvr, policy: "taskotron_release_critical_tasks_with_blocklist", source: null });
    const other = run(build("bodhi-2.0-1.fc26"), upstream, { results: [kojiResult("bodhi-2.0-1.fc26", "dist.rpmdeplint", "PASSED")] });
    expect(other.summary).toBe("Of 3 required tests, 2 results missing");
  });

  it("a rule without a scenario answers for each scenario's newest result", () => {
    const compose = { decision_context: "compose_test_scenario", product_version: "fedora-29", subject_type: "compose", subject_identifier: "Fedora-29-20181001.0" };
    const data = (scenario: string) => ({ "productmd.compose.id": "Fedora-29-20181001.0", scenario });
    const d = run(compose, upstream, { results: [result("testcase_name", "FAILED", data("scenario1")), result("testcase_name", "PASSED", data("scenario1")), result("testcase_name", "FAILED", data("scenario2"))] });
    expect(d.summary).toBe("Of 2 required tests, 1 test failed");
    expect(d.unsatisfied_requirements.map((r) => r.scenario)).toEqual(["scenario2"]);
  });

  it("on-demand rules: no applicable_policies in the answer", () => {
    const nvr = "cross-gcc-7.0.1-0.3.fc26";
    const d = run({ product_version: "fedora-26", subject_type: "koji_build", subject_identifier: nvr, rules: [{ type: "PassingTestCaseRule", test_case_name: "dist.abicheck" }] }, upstream, { results: [kojiResult(nvr, "dist.abicheck", "INFO")] });
    expect(d).toEqual({ policies_satisfied: true, summary: "All required tests (1 total) have passed or been waived", satisfied_requirements: [expect.objectContaining({ type: "test-result-passed", testcase: "dist.abicheck" })], unsatisfied_requirements: [] });
  });
});

describe("requests Greenwave refuses, with its status and message", () => {
  const cases: [Record<string, unknown> | null, number, string][] = [
    [null, 415, "No JSON payload in request"],
    [{ decision_context: "x", subject_type: "compose", subject_identifier: "c" }, 400, "Missing required product version"],
    [{ product_version: "fedora-41", subject_type: "compose", subject_identifier: "c" }, 400, "Either decision_context or rules is required."],
    [{ product_version: "fedora-41", decision_context: "x", rules: [{ type: "PassingTestCaseRule", test_case_name: "t" }], subject_type: "compose", subject_identifier: "c" }, 400, "Cannot have both decision_context and rules"],
    [{ product_version: "fedora-41", decision_context: "x", subject_identifier: "c" }, 400, 'Missing required "subject_type" parameter'],
    [{ product_version: "fedora-41", decision_context: "x", subject_type: "compose" }, 400, 'Missing required "subject_identifier" parameter'],
    [{ product_version: "fedora-41", decision_context: "x", subject: "c" }, 400, "Invalid subject, must be a list of dicts"],
    [{ product_version: "fedora-41", decision_context: "x", subject: [{ nothing: 1 }] }, 400, "Could not detect subject_identifier"],
    [{ product_version: "fedora-41", decision_context: "x", subject_type: "compose", subject_identifier: "c", verbose: "yes" }, 400, "Invalid verbose flag, must be a bool"],
    [{ product_version: "fedora-41", decision_context: "x", subject_type: "compose", subject_identifier: "c", when: "yesterday" }, 400, 'Invalid "when" parameter, must be in ISO8601 format'],
  ];
  cases.push([{ product_version: "fedora-41", decision_context: "x", verbose: 1 }, 400, "Invalid verbose flag, must be a bool"]);
  cases.push([{ product_version: "fedora-41", rules: [{ type: "PassingTestCaseRule", test_case_name: "t" }], verbose: 1 }, 400, 'Missing required "subject_type" parameter']);
  cases.push([{ product_version: "fedora-41", subject_type: "koji_build", subject_identifier: "a-1-1", rules: [{ type: "NoSuchRule" }] }, 400, "Failed to parse on demand policy: request: policy \"on-demand-policy\": field \"rules\": unknown rule tag !NoSuchRule (expected !PassingTestCaseRule or !RemoteRule)"]);
  it.each(cases)("%j → %i %s", (body, status, message) => {
    expect(failure(() => prepareDecision(body, types))).toEqual({ status, message });
  });

  it("the old subject list: a compose by productmd.compose.id, a build by item and type (brew-build is koji_build)", () => {
    const p = prepareDecision({ product_version: "fedora-41", decision_context: "x", subject: [{ "productmd.compose.id": "Fedora-41-20241020.0" }, { type: "brew-build", item: "bash-5.2-1.fc41" }] }, types);
    expect(p.subjects.map((s) => [s.type.id, s.identifier])).toEqual([
      ["compose", "Fedora-41-20241020.0"],
      ["koji_build", "bash-5.2-1.fc41"],
    ]);
  });
});

describe("rings (relengotron's extension)", () => {
  const policies = parsePolicyFile(
    "rings.yaml",
    `--- !Policy
id: ring-core-artifacts
product_versions: [fedora-rawhide]
decision_context: relengotron_artifact_publish
subject_type: koji_build
rings: [ring-0, ring-1]
rules:
  - !PassingTestCaseRule {test_case_name: compose.install_default}
  - !PassingTestCaseRule {test_case_name: relengotron.installability}
--- !Policy
id: ring-2-artifacts
product_versions: [fedora-rawhide]
decision_context: relengotron_artifact_publish
subject_type: koji_build
rings: [ring-2]
rules:
  - !PassingTestCaseRule {test_case_name: relengotron.installability}
`,
  ).policies;
  const nvr = "Fedora-Workstation-Live-Rawhide-20261203.n.0";
  const req = (ring: string) => ({ decision_context: "relengotron_artifact_publish", product_version: "fedora-rawhide", subject_type: "koji_build", subject_identifier: nvr, ring });
  const results = () => [result("relengotron.installability", "PASSED", { item: nvr, type: "koji_build" })];

  it("a ring-0 artifact missing a required result is blocked; a ring-2 artifact with the same results passes", () => {
    const core = run(req("ring-0"), policies, { results: results() });
    expect(core).toMatchObject({ policies_satisfied: false, applicable_policies: ["ring-core-artifacts"], summary: "Of 2 required tests, 1 result missing" });
    expect(core.unsatisfied_requirements.map((r) => [r.type, r.testcase])).toEqual([["test-result-missing", "compose.install_default"]]);
    expect(run(req("ring-2"), policies, { results: results() })).toMatchObject({ policies_satisfied: true, applicable_policies: ["ring-2-artifacts"] });
  });

  it("a waiver unblocks the ring-0 artifact; a later failing result re-blocks it", () => {
    const w = [waiver({ subject_type: "koji_build", subject_identifier: nvr, testcase: "compose.install_default", product_version: "fedora-rawhide" })];
    expect(run(req("ring-0"), policies, { results: results(), waivers: w }).policies_satisfied).toBe(true);
    const later = [...results(), result("relengotron.installability", "FAILED", { item: nvr, type: "koji_build" })];
    const d = run(req("ring-0"), policies, { results: later, waivers: w });
    expect(d.policies_satisfied).toBe(false);
    expect(d.unsatisfied_requirements.map((r) => [r.type, r.testcase])).toEqual([["test-result-failed", "relengotron.installability"]]);
  });

  it("a policy naming rings applies only to subjects known to be in them", () => {
    expect(failure(() => run({ ...req("ring-0"), ring: undefined }, policies))).toMatchObject({ status: 404 });
  });
});
