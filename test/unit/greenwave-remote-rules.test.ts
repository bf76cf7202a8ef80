// RemoteRule: the package's gating.yaml found as Greenwave finds it — the dist-git URL filled in
// from the Koji build's source URL, each template in turn, 404 meaning "no gating.yaml" — and its
// rules joining the decision.
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Subject } from "../../src/domain/greenwave/decision.js";
import { DEFAULT_SUBJECT_TYPES, parsePolicyFile, type RemoteRule } from "../../src/domain/greenwave/policies.js";
import { makeDecision } from "../../src/gating/decide.js";
import { loadPolicyDirectory } from "../../src/gating/policy-dir.js";
import { fetchRemoteRuleFile, scmOfSource, type KojiBuildLookup } from "../../src/gating/remote-rules.js";
import type { ResultsDbApi } from "../../src/clients/resultsdb.js";

const koji = (builds: Record<string, { source?: string | null; extra?: unknown; creation_time?: string }>): KojiBuildLookup => ({ getBuild: async (nvr) => builds[nvr] ?? null });
const files = (served: Record<string, string>) => {
  const asked: string[] = [];
  const fetcher = (async (url: string | URL | Request) => {
    asked.push(String(url));
    const text = served[String(url)];
    return text === undefined ? new Response("not found", { status: 404 }) : new Response(text);
  }) as typeof fetch;
  return { asked, fetcher };
};
const build = (nvr: string): Subject => ({ type: DEFAULT_SUBJECT_TYPES[0]!, identifier: nvr });
const rule = (sources: string[] = []): RemoteRule => ({ rule: "RemoteRule", sources, required: false });
const NVR = "nethack-1.2.3-1.el9000";
const REV = "c3c47a08a66451cb9686c49f040776ed35a0d1bb";
const GATING = `https://src.fedoraproject.org/rpms/nethack/raw/${REV}/f/gating.yaml`;

describe("finding a gating.yaml", () => {
  it("dist-git by the build's source URL (Greenwave's test_remote_rule_policy URL)", async () => {
    const { asked, fetcher } = files({ [GATING]: "--- !Policy\n" });
    const file = await fetchRemoteRuleFile(build(NVR), rule(), { koji: koji({ [NVR]: { source: `git+https://src.fedoraproject.org/rpms/nethack.git#${REV}` } }), fetch: fetcher });
    expect(file).toEqual({ found: true, url: GATING, text: "--- !Policy\n" });
    expect(asked).toEqual([GATING]);
  });

  it("namespaces: none for a short path; containers lose -container; extra.source.original_url when source is empty", () => {
    expect(scmOfSource(NVR, `https://src.fedoraproject.org/nethack#${REV}`)).toEqual({ namespace: "", pkgName: "nethack", rev: REV });
    expect(scmOfSource(NVR, `git://pkgs.example.com/a/containers/foo-container.git#${REV}`)).toEqual({ namespace: "containers", pkgName: "foo-container", rev: REV });
    return expect(
      fetchRemoteRuleFile(build(NVR), rule(["https://git.example.com/{pkg_namespace}{pkg_name}/{rev}.yaml"]), {
        koji: koji({ [NVR]: { source: null, extra: { source: { original_url: `git://x/containers/foo-container#${REV}` } } } }),
        fetch: files({}).fetcher,
      }),
    ).resolves.toEqual({ found: false, urls: [`https://git.example.com/containers/foo/${REV}.yaml`] });
  });

  it("each template in turn: a 404 tries the next; {subject_id} needs no Koji", async () => {
    const second = "https://policies.example.com/nethack-1.2.3-1.el9000.yaml";
    const { asked, fetcher } = files({ [second]: "x" });
    const file = await fetchRemoteRuleFile(build(NVR), rule([GATING.replace(REV, "{rev}").replace("rpms/nethack", "{pkg_namespace}{pkg_name}"), "https://policies.example.com/{subject_id}.yaml"]), {
      koji: koji({ [NVR]: { source: `git+https://src.fedoraproject.org/rpms/nethack.git#${REV}` } }),
      fetch: fetcher,
    });
    expect(file).toEqual({ found: true, url: second, text: "x" });
    expect(asked).toEqual([GATING, second]);
  });

  it("failures: an unknown build, a source without a commit, no Koji configured; a build without a source skips the template", async () => {
    const { fetcher } = files({});
    expect(await fetchRemoteRuleFile(build(NVR), rule(), { koji: koji({}), fetch: fetcher })).toEqual({ error: `Koji build not found for subject_type 'koji_build', subject_identifier '${NVR}'`, urls: [] });
    expect(await fetchRemoteRuleFile(build(NVR), rule(), { koji: koji({ [NVR]: { source: "git+https://src.fedoraproject.org/rpms/nethack.git" } }), fetch: fetcher })).toMatchObject({ error: expect.stringContaining("missing URL fragment with SCM revision information") });
    expect(await fetchRemoteRuleFile(build(NVR), rule(), { fetch: fetcher })).toMatchObject({ error: expect.stringContaining("Koji is not configured") });
    expect(await fetchRemoteRuleFile(build(NVR), rule(), { koji: koji({ [NVR]: { source: null } }), fetch: fetcher })).toEqual({ found: false, urls: [] });
  });
});

describe("a koji_build decision over Fedora's policy with the package's gating.yaml", () => {
  const { policies, subjectTypes } = loadPolicyDirectory(path.join(import.meta.dirname, "../fixtures/fedora/policies"));
  const fedora = policies.filter((p) => p.origin.file.endsWith("fedora-infra-ansible-greenwave-fedora.yaml"));
  const bash = "bash-5.3.0-2.fc46";
  const url = `https://src.fedoraproject.org/rpms/bash/raw/${REV}/f/gating.yaml`;
  const resultsdb = { latest: async (q: Record<string, string>) => (q.item === bash ? [{ id: 9, outcome: "PASSED", testcase: { name: "fedora-ci.koji-build.tier0.functional" }, data: { item: [bash], type: ["koji_build"] }, submit_time: "2026-12-03T00:00:00.000000" }] : []) } as unknown as ResultsDbApi;

  it("the gating.yaml's rules join; its other contexts do not", async () => {
    const gating = [
      "--- !Policy\nproduct_versions: [fedora-*]\ndecision_contexts: [bodhi_update_push_stable]\nrules:\n  - !PassingTestCaseRule {test_case_name: fedora-ci.koji-build.tier0.functional}\n  - !PassingTestCaseRule {test_case_name: fedora-ci.koji-build.installability.functional}",
      "--- !Policy\nproduct_versions: [fedora-*]\ndecision_contexts: [bodhi_update_push_testing]\nrules:\n  - !PassingTestCaseRule {test_case_name: only.for.testing}\n",
    ].join("\n");
    const d = await makeDecision(
      { decision_context: "bodhi_update_push_stable", product_version: "fedora-rawhide", subject_type: "koji_build", subject_identifier: bash },
      { policies: fedora, subjectTypes, resultsdb, remoteRules: { koji: koji({ [bash]: { source: `git+https://src.fedoraproject.org/rpms/bash.git#${REV}` } }), fetch: files({ [url]: gating }).fetcher } },
    );
    expect(d.summary).toBe("Of 2 required tests, 1 result missing");
    expect(d.satisfied_requirements.map((r) => [r.type, r.testcase, r.source])).toEqual([
      ["fetched-gating-yaml", "fetched-gating-yaml", url],
      ["test-result-passed", "fedora-ci.koji-build.tier0.functional", url],
    ]);
    expect(d.unsatisfied_requirements.map((r) => [r.type, r.testcase])).toEqual([["test-result-missing", "fedora-ci.koji-build.installability.functional"]]);
  });

  it("without Koji the RemoteRule cannot be evaluated, and says so (unsatisfied, not silently passed)", async () => {
    const d = await makeDecision({ decision_context: "bodhi_update_push_stable", product_version: "fedora-rawhide", subject_type: "koji_build", subject_identifier: bash }, { policies: fedora, subjectTypes, resultsdb });
    expect(d.policies_satisfied).toBe(false);
    expect(d.unsatisfied_requirements).toEqual([expect.objectContaining({ type: "failed-fetch-gating-yaml", error: expect.stringContaining("Koji is not configured") })]);
    expect(d.summary).toBe("1 error while trying to fetch remote rule file");
  });
});

describe("rules valid for builds made in a window (valid_since / valid_until)", () => {
  const { subjectTypes } = loadPolicyDirectory(path.join(import.meta.dirname, "../fixtures/fedora/policies"));
  const nvr = "bash-5.3.0-2.fc46";
  const none = { latest: async () => [] } as unknown as ResultsDbApi;
  const policies = parsePolicyFile(
    "dated.yaml",
    "--- !Policy\nid: dated\nproduct_versions: [fedora-rawhide]\ndecision_context: c\nsubject_type: koji_build\nrules:\n  - !PassingTestCaseRule {test_case_name: new.test, valid_since: 2026-06-01}\n  - !PassingTestCaseRule {test_case_name: old.test, valid_until: 2026-06-01T00:00:00Z}\n",
  ).policies;
  const ask = (created: string) =>
    makeDecision({ decision_context: "c", product_version: "fedora-rawhide", subject_type: "koji_build", subject_identifier: nvr }, { policies, subjectTypes, resultsdb: none, remoteRules: { koji: koji({ [nvr]: { creation_time: created } }) } });

  it("a build made after valid_since needs the new test, one made before valid_until the old one (Koji's creation_time, UTC)", async () => {
    expect((await ask("2026-11-30 08:00:00.123456")).unsatisfied_requirements.map((r) => r.testcase)).toEqual(["new.test"]);
    expect((await ask("2026-01-10 08:00:00")).unsatisfied_requirements.map((r) => r.testcase)).toEqual(["old.test"]);
  });

  it("without Koji the window cannot be decided: an error, not a guess", async () => {
    await expect(makeDecision({ decision_context: "c", product_version: "fedora-rawhide", subject_type: "koji_build", subject_identifier: nvr }, { policies, subjectTypes, resultsdb: none })).rejects.toThrow(/needs the Koji build's creation time/);
  });
});
