// A Greenwave decision made by relengotron: the request checked as Greenwave checks it, each
// subject's results fetched from ResultsDB (`GET /results/latest` with the subject type's queries
// and `_distinct_on=scenario,system_architecture,system_variant`, `since` for `when`), its waivers
// from WaiverDB (`POST /waivers/+filtered` by subject and product version), the gating.yaml of
// each RemoteRule (src/gating/remote-rules.ts), then the pure decision
// (src/domain/greenwave/decision.ts).
import type { ResultsDbApi } from "../clients/resultsdb.js";
import type { WaiverDbApi, WaiverFilter } from "../clients/waiverdb.js";
import {
  applicablePolicies,
  decide,
  DISTINCT_LATEST_RESULTS_ON,
  prepareDecision,
  remoteRuleKey,
  resultQueries,
  subjectKey,
  type DecisionResponse,
  type GwResult,
  type GwWaiver,
  type RemoteRuleFile,
} from "../domain/greenwave/decision.js";
import { parseRemotePolicies, type Policy, type RemoteRule, type SubjectType } from "../domain/greenwave/policies.js";
import { buildCreationTime, fetchRemoteRuleFile, type RemoteRuleSources } from "./remote-rules.js";

export interface DecisionSources {
  policies: readonly Policy[];
  subjectTypes: readonly SubjectType[];
  resultsdb: ResultsDbApi;
  /** without one, no waivers apply */
  waiverdb?: WaiverDbApi;
  /** where RemoteRules find a package's gating.yaml (Koji for its dist-git commit) */
  remoteRules?: RemoteRuleSources;
}

export async function makeDecision(body: unknown, sources: DecisionSources): Promise<DecisionResponse> {
  const prepared = prepareDecision(body, sources.subjectTypes);
  const since = prepared.when ? `1900-01-01T00:00:00.000000,${prepared.when}` : undefined;
  const results = new Map<string, GwResult[]>();
  const waivers = new Map<string, GwWaiver[]>();
  const remoteRules = new Map<string, RemoteRuleFile>();
  const creationTimes = new Map<string, Date>();
  await Promise.all(
    prepared.subjects.map(async (subject) => {
      const key = subjectKey(subject);
      const lists = await Promise.all(
        resultQueries(subject).map((query) =>
          sources.resultsdb.latest({ ...query, _distinct_on: DISTINCT_LATEST_RESULTS_ON.join(","), ...(since ? { since } : {}) }),
        ),
      );
      results.set(key, lists.flat() as GwResult[]);
      if (sources.waiverdb) {
        const filter: WaiverFilter = { subject_type: subject.type.id, subject_identifier: subject.identifier, product_version: prepared.productVersion };
        if (since) filter.since = since;
        waivers.set(key, (await sources.waiverdb.filtered([filter])) as GwWaiver[]);
      }
      // the gating.yaml of every RemoteRule an applicable policy holds
      const applicable = applicablePolicies(prepared, sources.policies, subject);
      const rules = applicable.flatMap((p) => p.rules.filter((r): r is RemoteRule => r.rule === "RemoteRule"));
      for (const rule of rules) {
        const ruleKey = remoteRuleKey(subject, rule);
        if (!remoteRules.has(ruleKey)) remoteRules.set(ruleKey, await fetchRemoteRuleFile(subject, rule, sources.remoteRules ?? {}));
      }
      // rules valid only for builds made in a window need the build's creation time (also those in a gating.yaml)
      const dated = [...applicable.flatMap((p) => p.rules), ...rules.flatMap((r) => {
        const f = remoteRules.get(remoteRuleKey(subject, r));
        return f && "found" in f && f.found ? remotePolicyRules(f) : [];
      })];
      if (dated.some((r) => r.rule === "PassingTestCaseRule" && (r.validSince || r.validUntil))) creationTimes.set(key, await buildCreationTime(sources.remoteRules?.koji, subject.identifier));
    }),
  );
  return decide(prepared, sources.policies, { results, waivers, remoteRules, creationTimes });
}

function remotePolicyRules(file: { url: string; text: string }) {
  try {
    return parseRemotePolicies(file.url, file.text).flatMap((p) => p.rules);
  } catch {
    return []; // the decision answers invalid-gating-yaml
  }
}
