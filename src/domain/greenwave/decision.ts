// Greenwave decisions, computed from results and waivers passed in. The semantics, the answer
// types and their JSON, the summary sentence and the error messages follow
// release-engineering/greenwave: greenwave/decision.py (make_decision, Decision, RuleContext),
// greenwave/policies.py (PassingTestCaseRule.check, RemoteRule, Policy.check, the Answer classes,
// _Summary), greenwave/waivers.py (_find_waived_id), greenwave/subjects/ (Subject, factory) and
// greenwave/config.py (OUTCOMES_*, DISTINCT_LATEST_RESULTS_ON). Pure: no I/O; the caller fetches
// results (ResultsDB) and waivers (WaiverDB) for the subjects `prepareDecision` names.
import { fnmatch } from "./fnmatch.js";
import {
  onDemandPolicy,
  parseRemotePolicies,
  PolicyError,
  policyMatches,
  ruleKey,
  subjectTypeFor,
  subjectTypeMatches,
  type ItemDict,
  type PassingTestCaseRule,
  type Policy,
  type RemoteRule,
  type Rule,
  type SubjectType,
} from "./policies.js";

export const OUTCOMES_PASSED = ["PASSED", "INFO"];
export const OUTCOMES_ERROR = ["ERROR"];
export const OUTCOMES_INCOMPLETE = ["QUEUED", "RUNNING"];
export const DISTINCT_LATEST_RESULTS_ON = ["scenario", "system_architecture", "system_variant"] as const;

/** A ResultsDB v2.0 result, as `GET /results/latest` answers it. */
export interface GwResult {
  id: number;
  outcome: string;
  testcase: { name: string; [key: string]: unknown };
  data: Record<string, string[]>;
  submit_time: string;
  error_reason?: string | null;
  [key: string]: unknown;
}

/** A WaiverDB v1.0 waiver, as `POST /waivers/+filtered` answers it. */
export interface GwWaiver {
  id: number;
  subject_type: string;
  subject_identifier: string;
  testcase: string;
  scenario?: string | null;
  product_version: string;
  waived: boolean;
  [key: string]: unknown;
}

/** Where Greenwave answers 4xx: the status and its message (`{"message": …}`). */
export class DecisionError extends Error {
  constructor(
    readonly status: 400 | 404 | 415,
    message: string,
  ) {
    super(message);
  }
}

// ---- subjects (greenwave/subjects/subject.py) ----

export interface Subject {
  type: SubjectType;
  identifier: string;
}

export const subjectKey = (s: Subject): string => `${s.type.id}\u0000${s.identifier}`;
/** A RemoteRule's gating.yaml depends on the subject and the rule's `sources`. */
export const remoteRuleKey = (s: Subject, rule: Pick<RemoteRule, "sources">): string => `${subjectKey(s)}\u0000${JSON.stringify(rule.sources)}`;

/** Greenwave's `str(subject)`, as its messages name a subject. */
export const describeSubject = (s: Subject): string => `subject_type '${s.type.id}', subject_identifier '${s.identifier}'`;

export function packageName(s: Subject): string | null {
  if (!s.type.isNvr) return null;
  const parts = s.identifier.split("-");
  return parts.length >= 3 ? parts.slice(0, -2).join("-") : s.identifier;
}

function itemDictFor(format: ItemDict, item: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (format.item_key) out[format.item_key] = item;
  for (const [k, v] of Object.entries(format.keys ?? {})) out[k] = String(v);
  return out;
}

export function subjectToDict(s: Subject): Record<string, string> {
  return s.type.itemDict ? itemDictFor(s.type.itemDict, s.identifier) : { type: s.type.id, item: s.identifier };
}

/** The ResultsDB query parameters for a subject (Subject.result_queries): one query per dict. */
export function resultQueries(s: Subject): Record<string, string>[] {
  return s.type.resultQueries ? s.type.resultQueries.map((q) => itemDictFor(q, s.identifier)) : [subjectToDict(s)];
}

function subjectFromData(types: readonly SubjectType[], data: Record<string, unknown>): Subject {
  const typeId = typeof data.type === "string" ? data.type : undefined;
  for (const type of types) {
    if (typeId && type.id !== typeId) continue;
    if (!type.itemKey) continue;
    const item = data[type.itemKey];
    if (!item) continue;
    if (typeof item !== "string") throw new DecisionError(400, "Subject item/identificator must be a string");
    return { type, identifier: item };
  }
  const item = data.item;
  if (typeId && item) return createSubject(types, typeId, item);
  throw new DecisionError(400, "Could not detect subject_identifier");
}

function createSubject(types: readonly SubjectType[], typeId: string, item: unknown): Subject {
  if (typeof item !== "string") throw new DecisionError(400, "Subject item/identificator must be a string");
  return { type: subjectTypeFor(types, typeId), identifier: item };
}

// ---- the request (make_decision's checks, in its order) ----

export interface PreparedDecision {
  productVersion: string;
  decisionContexts: string[];
  subjects: Subject[];
  verbose: boolean;
  ignoreResult: number[];
  ignoreWaiver: number[];
  /** ISO 8601, `when`: results and waivers until then */
  when: string | null;
  /** on-demand policies when the request carried `rules`; then they replace the configured ones */
  onDemand: Policy[] | null;
  /** relengotron: the ring the subject is in */
  ring: string | null;
}

export function prepareDecision(data: unknown, subjectTypes: readonly SubjectType[]): PreparedDecision {
  if (data === null || data === undefined || typeof data !== "object" || Array.isArray(data) || Object.keys(data).length === 0) {
    throw new DecisionError(415, "No JSON payload in request");
  }
  const body = data as Record<string, unknown>;
  if (!body.product_version) throw new DecisionError(400, "Missing required product version");
  const hasRules = Array.isArray(body.rules) ? body.rules.length > 0 : Boolean(body.rules);
  if (!body.decision_context && !hasRules) throw new DecisionError(400, "Either decision_context or rules is required.");
  const productVersion = String(body.product_version);
  const rawContexts = body.decision_context ?? [];
  const decisionContexts = (Array.isArray(rawContexts) ? rawContexts : [rawContexts]).map(String);
  if (decisionContexts.length && hasRules) throw new DecisionError(400, "Cannot have both decision_context and rules");

  // Greenwave's order: the subjects of an on-demand request are read before `verbose` and `when`
  // are checked, the others' after
  let subjects = hasRules ? subjectsFor(body, subjectTypes) : [];

  let onDemand: Policy[] | null = null;
  if (hasRules) {
    onDemand = subjects.map((subject) => {
      const request: Record<string, unknown> = Object.fromEntries(Object.entries(body).filter(([k]) => k !== "subject" && k !== "subject_type"));
      try {
        return onDemandPolicy({ ...request, product_version: productVersion, subject_type: subject.type.id, subject_identifier: subject.identifier });
      } catch (error) {
        if (error instanceof PolicyError) throw new DecisionError(400, `Failed to parse on demand policy: ${error.message}`);
        throw error;
      }
    });
  }

  const verbose = body.verbose ?? false;
  if (typeof verbose !== "boolean") throw new DecisionError(400, "Invalid verbose flag, must be a bool");
  const when = body.when ?? null;
  if (when !== null && (typeof when !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,6}$/.test(when))) {
    throw new DecisionError(400, 'Invalid "when" parameter, must be in ISO8601 format');
  }
  if (!hasRules) subjects = subjectsFor(body, subjectTypes);
  const ids = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is number => typeof x === "number") : []);
  const ring = typeof body.ring === "string" ? body.ring : null;
  return { productVersion, decisionContexts, subjects, verbose, ignoreResult: ids(body.ignore_result), ignoreWaiver: ids(body.ignore_waiver), when, onDemand, ring };
}

function subjectsFor(body: Record<string, unknown>, types: readonly SubjectType[]): Subject[] {
  if ("subject" in body) {
    const list = body.subject;
    if (!Array.isArray(list) || !list.length || !list.every((e) => e !== null && typeof e === "object" && !Array.isArray(e))) {
      throw new DecisionError(400, "Invalid subject, must be a list of dicts");
    }
    return list.map((e) => subjectFromData(types, e as Record<string, unknown>));
  }
  if (!("subject_type" in body)) throw new DecisionError(400, 'Missing required "subject_type" parameter');
  if (!("subject_identifier" in body)) throw new DecisionError(400, 'Missing required "subject_identifier" parameter');
  return [createSubject(types, String(body.subject_type), body.subject_identifier)];
}

// ---- answers (greenwave/policies.py Answer subclasses) ----

type Data = Record<string, string | null>;

export type Answer =
  | { kind: "missing"; subject: Subject; testcase: string; scenario: string | null; source: string | null }
  | { kind: "incomplete" | "failed" | "passed"; subject: Subject; testcase: string; source: string | null; resultId: number; data: Data }
  | { kind: "errored"; subject: Subject; testcase: string; source: string | null; resultId: number; data: Data; errorReason: string | null }
  | { kind: "invalid-gating-yaml"; subject: Subject; testcase: string; details: string; source: string }
  | { kind: "missing-gating-yaml"; subject: Subject; sources: string[] }
  | { kind: "failed-fetch-gating-yaml"; subject: Subject; sources: string[]; error: string }
  | { kind: "fetched-gating-yaml"; subject: Subject; source: string }
  | { kind: "excluded"; subject: Subject; policy: Policy }
  | { kind: "waived"; of: Answer; waiverId: number };

const UNSATISFIED = new Set(["missing", "incomplete", "failed", "errored", "invalid-gating-yaml", "missing-gating-yaml", "failed-fetch-gating-yaml"]);
export const isSatisfied = (a: Answer): boolean => !UNSATISFIED.has(a.kind);
const isTestResult = (a: Answer): boolean => !["invalid-gating-yaml", "missing-gating-yaml", "failed-fetch-gating-yaml", "fetched-gating-yaml", "excluded"].includes(a.kind);

function answerTestcase(a: Answer): string | null {
  switch (a.kind) {
    case "missing-gating-yaml":
      return "missing-gating-yaml";
    case "failed-fetch-gating-yaml":
      return "failed-fetch-gating-yaml";
    case "fetched-gating-yaml":
      return "fetched-gating-yaml";
    case "excluded":
      return null;
    case "waived":
      return answerTestcase(a.of);
    default:
      return a.testcase;
  }
}

function answerScenario(a: Answer): string | null {
  if (a.kind === "missing") return a.scenario;
  if ("data" in a) return a.data.scenario ?? null;
  return null;
}

export function answerToJson(a: Answer): Record<string, unknown> {
  const subject = (s: Subject) => ({ subject_type: s.type.id, subject_identifier: s.identifier });
  switch (a.kind) {
    case "missing":
      return { type: "test-result-missing", testcase: a.testcase, ...subject(a.subject), scenario: a.scenario, source: a.source, item: subjectToDict(a.subject) };
    case "incomplete":
      // the same type as a missing result, for backwards compatibility (Greenwave)
      return { type: "test-result-missing", testcase: a.testcase, ...subject(a.subject), source: a.source, result_id: a.resultId, item: subjectToDict(a.subject), ...a.data };
    case "failed":
      return { type: "test-result-failed", testcase: a.testcase, ...subject(a.subject), source: a.source, result_id: a.resultId, item: subjectToDict(a.subject), ...a.data };
    case "errored":
      return { type: "test-result-errored", testcase: a.testcase, ...subject(a.subject), source: a.source, result_id: a.resultId, error_reason: a.errorReason, item: subjectToDict(a.subject), ...a.data };
    case "passed":
      return { type: "test-result-passed", testcase: a.testcase, ...subject(a.subject), source: a.source, result_id: a.resultId, ...a.data };
    case "invalid-gating-yaml":
      return { type: "invalid-gating-yaml", testcase: a.testcase, ...subject(a.subject), scenario: null, source: a.source, details: a.details };
    case "missing-gating-yaml":
      return { type: "missing-gating-yaml", testcase: "missing-gating-yaml", ...subject(a.subject), scenario: null, sources: a.sources };
    case "failed-fetch-gating-yaml":
      return { type: "failed-fetch-gating-yaml", testcase: "failed-fetch-gating-yaml", ...subject(a.subject), scenario: null, sources: a.sources, error: a.error };
    case "fetched-gating-yaml":
      return { type: "fetched-gating-yaml", testcase: "fetched-gating-yaml", ...subject(a.subject), source: a.source };
    case "excluded":
      return { type: "excluded", subject_identifier: a.subject.identifier, policy: a.policy.id, source: a.policy.source };
    case "waived": {
      const json = answerToJson(a.of);
      json.type = `${String(json.type)}-waived`;
      json.waiver_id = a.waiverId;
      delete json.item;
      return json;
    }
  }
}

const SUMMARY_TEXT: Record<string, string> = {
  missing: "result{s} missing",
  incomplete: "test{s} incomplete",
  failed: "test{s} failed",
  errored: "test{s} errored",
  "invalid-gating-yaml": "error{s} due to invalid remote rule file",
  "missing-gating-yaml": "error{s} due to missing remote rule file",
  "failed-fetch-gating-yaml": "error{s} while trying to fetch remote rule file",
};

const sformat = (text: string, n: number) => text.replaceAll("{num}", String(n)).replaceAll("{s}", n === 1 ? "" : "s");

/** summarize_answers: the one-sentence summary. */
export function summarize(answers: readonly Answer[]): string {
  const tests = new Map<string, number>();
  const others = new Map<string, number>();
  let testCount = 0;
  for (const a of answers) {
    if (!isSatisfied(a)) {
      const text = SUMMARY_TEXT[a.kind]!;
      const map = isTestResult(a) ? tests : others;
      map.set(text, (map.get(text) ?? 0) + 1);
    }
    if (isTestResult(a)) testCount++;
  }
  const sorted = (m: Map<string, number>) => [...m].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  let msg = sorted(others).map(([text, n]) => sformat(`{num} ${text}`, n)).join(", ");
  if (tests.size) {
    const add = sformat("Of {num} required test{s}, ", testCount) + sorted(tests).map(([text, n]) => sformat(`{num} ${text}`, n)).join(", ");
    msg = msg ? `${msg}. ${add}` : add;
  }
  if (msg) return msg;
  if (testCount) return `All required tests (${testCount} total) have passed or been waived`;
  return "No tests are required";
}

// ---- the evidence the caller fetched ----

export type RemoteRuleFile =
  | { found: true; url: string; text: string }
  | { found: false; urls: string[] }
  | { error: string; urls: string[] };

export interface Evidence {
  /** per subjectKey: the subject's results as ResultsDB's `results/latest` answered (newest first) */
  results: ReadonlyMap<string, readonly GwResult[]>;
  /** per subjectKey: its waivers as WaiverDB's `+filtered` answered */
  waivers: ReadonlyMap<string, readonly GwWaiver[]>;
  /** per remoteRuleKey (or subjectKey): the subject's gating.yaml, for !RemoteRule; absent: not found */
  remoteRules?: ReadonlyMap<string, RemoteRuleFile>;
  /** per subjectKey: the Koji build's creation time, for valid_since / valid_until */
  creationTimes?: ReadonlyMap<string, Date>;
}

/**
 * Which results count: the newest per testcase and (scenario, system_architecture, system_variant)
 * — what ResultsDB answers for `_distinct_on=scenario,system_architecture,system_variant` —
 * less the ignored ids, newest first.
 */
export function latestResults(results: readonly GwResult[], ignore: readonly number[] = []): GwResult[] {
  const seen = new Set<string>();
  const newestFirst = [...results].sort((a, b) => (a.submit_time < b.submit_time ? 1 : a.submit_time > b.submit_time ? -1 : b.id - a.id));
  const out: GwResult[] = [];
  for (const r of newestFirst) {
    const key = JSON.stringify([r.testcase.name, ...DISTINCT_LATEST_RESULTS_ON.map((k) => r.data[k]?.[0] ?? null)]);
    if (seen.has(key)) continue;
    seen.add(key);
    if (!ignore.includes(r.id)) out.push(r);
  }
  return out;
}

// ---- rules ----

function answerForResult(result: GwResult, subject: Subject, testcase: string, source: string | null): Answer {
  const data: Data = Object.fromEntries(DISTINCT_LATEST_RESULTS_ON.map((k) => [k, result.data[k]?.[0] ?? null]));
  const common = { subject, testcase, source, resultId: result.id, data };
  if (OUTCOMES_PASSED.includes(result.outcome)) return { kind: "passed", ...common };
  if (OUTCOMES_INCOMPLETE.includes(result.outcome)) return { kind: "incomplete", ...common };
  if (OUTCOMES_ERROR.includes(result.outcome)) return { kind: "errored", ...common, errorReason: result.error_reason ?? null };
  return { kind: "failed", ...common };
}

class RuleContext {
  private readonly verified = new Set<string>();
  constructor(
    readonly subject: Subject,
    readonly decision: PreparedDecision,
    private readonly results: readonly GwResult[],
    readonly evidence: Evidence,
  ) {}

  resultsFor(testcase: string): GwResult[] {
    return this.results.filter((r) => r.testcase.name === testcase);
  }

  /** RuleContext.verify: a rule equal to one already checked for this subject answers nothing. */
  verify(policy: Policy, rule: Rule): Answer[] {
    const key = ruleKey(rule);
    if (this.verified.has(key)) return [];
    this.verified.add(key);
    return rule.rule === "PassingTestCaseRule" ? checkPassing(rule, policy, this) : checkRemote(rule, policy, this);
  }
}

function checkPassing(rule: PassingTestCaseRule, policy: Policy, ctx: RuleContext): Answer[] {
  if (rule.validSince || rule.validUntil) {
    const created = ctx.evidence.creationTimes?.get(subjectKey(ctx.subject));
    if (!created) throw new Error(`rule ${rule.testCaseName} has valid_since/valid_until: the Koji build's creation time of ${ctx.subject.identifier} is needed`);
    if (rule.validSince && created < rule.validSince) return [];
    if (rule.validUntil && rule.validUntil <= created) return [];
  }
  let matching = ctx.resultsFor(rule.testCaseName);
  if (rule.scenario !== null) matching = matching.filter((r) => (r.data.scenario ?? []).includes(rule.scenario!));
  if (!matching.length) return [{ kind: "missing", subject: ctx.subject, testcase: rule.testCaseName, scenario: rule.scenario, source: policy.source }];
  return matching.map((r) => answerForResult(r, ctx.subject, rule.testCaseName, policy.source));
}

function checkRemote(rule: RemoteRule, policy: Policy, ctx: RuleContext): Answer[] {
  const file = ctx.evidence.remoteRules?.get(remoteRuleKey(ctx.subject, rule)) ?? ctx.evidence.remoteRules?.get(subjectKey(ctx.subject)) ?? { found: false as const, urls: rule.sources };
  if ("error" in file) return [{ kind: "failed-fetch-gating-yaml", subject: ctx.subject, sources: file.urls, error: file.error }];
  if (!file.found) return rule.required ? [{ kind: "missing-gating-yaml", subject: ctx.subject, sources: file.urls }] : [];
  const answers: Answer[] = [{ kind: "fetched-gating-yaml", subject: ctx.subject, source: file.url }];
  let subPolicies: Policy[] = [];
  try {
    subPolicies = parseRemotePolicies(file.url, file.text);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    answers.push({ kind: "invalid-gating-yaml", subject: ctx.subject, testcase: "invalid-gating-yaml", details: error.message, source: file.url });
  }
  // matches_sub_policy: decision contexts in common (on-demand: a product version in common)
  const relevant = subPolicies.filter((sub) =>
    policy.kind === "on-demand"
      ? policy.productVersions.some((pv) => sub.productVersions.some((p) => fnmatch(pv, p)))
      : sub.decisionContexts.some((c) => policy.decisionContexts.includes(c)),
  );
  for (const sub of relevant) {
    if (policyMatches(sub, { decisionContexts: ctx.decision.decisionContexts, productVersion: ctx.decision.productVersion, subjectType: ctx.subject.type })) {
      answers.push(...checkPolicy(sub, ctx));
    }
  }
  return answers;
}

/** Policy.check: excluded_packages, the packages allowlist, then every rule. */
function checkPolicy(policy: Policy, ctx: RuleContext): Answer[] {
  const name = packageName(ctx.subject);
  if (name) {
    if (policy.excludedPackages.some((p) => fnmatch(name, p))) return [{ kind: "excluded", subject: ctx.subject, policy }];
    if (policy.packages.length && !policy.packages.some((p) => fnmatch(name, p))) return [];
  }
  return policy.rules.flatMap((rule) => ctx.verify(policy, rule));
}

// ---- waivers (greenwave/waivers.py) ----

function findWaiver(a: Answer, waivers: readonly GwWaiver[]): number | null {
  if (a.kind === "waived" || a.kind === "excluded") return null;
  const testcase = answerTestcase(a);
  const scenario = answerScenario(a);
  for (const w of waivers) {
    if (subjectTypeMatches(a.subject.type, w.subject_type) && w.subject_identifier === a.subject.identifier && w.testcase === testcase && (!w.scenario || w.scenario === scenario)) {
      return w.id;
    }
  }
  return null;
}

/** Unsatisfied answers with a matching waiver become `…-waived`; remote-rule errors cannot be waived. */
function waiveAnswers(answers: readonly Answer[], waivers: readonly GwWaiver[]): Answer[] {
  return answers.flatMap((a): Answer[] => {
    if (isSatisfied(a)) return [a];
    const id = findWaiver(a, waivers);
    if (id === null) return [a];
    if (a.kind === "invalid-gating-yaml" || a.kind === "missing-gating-yaml" || a.kind === "failed-fetch-gating-yaml") return [];
    return [{ kind: "waived", of: a, waiverId: id }];
  });
}

// ---- the decision ----

export interface DecisionResponse {
  policies_satisfied: boolean;
  summary: string;
  satisfied_requirements: Record<string, unknown>[];
  unsatisfied_requirements: Record<string, unknown>[];
  applicable_policies?: (string | null)[];
  results?: GwResult[];
  waivers?: GwWaiver[];
}

/** The policies that apply to one subject of the request (Decision.check's match). */
export function applicablePolicies(prepared: PreparedDecision, policies: readonly Policy[], subject: Subject): Policy[] {
  return (prepared.onDemand ?? policies).filter((p) =>
    p.kind === "on-demand"
      ? true
      : policyMatches(p, { decisionContexts: prepared.decisionContexts, productVersion: prepared.productVersion, subjectType: subject.type, ring: prepared.ring }),
  );
}

/**
 * make_decision after the fetches: the applicable policies for each subject (404 when none and the
 * subject type does not ignore missing policies), their answers, waived where a waiver matches.
 */
export function decide(prepared: PreparedDecision, policies: readonly Policy[], evidence: Evidence): DecisionResponse {
  const answers: Answer[] = [];
  const applicable: Policy[] = [];
  const verboseResults: GwResult[] = [];
  const waivers: GwWaiver[] = [];
  for (const subject of prepared.subjects) {
    const key = subjectKey(subject);
    const subjectPolicies = applicablePolicies(prepared, policies, subject);
    if (!subjectPolicies.length) {
      if (subject.type.ignoreMissingPolicy) continue;
      throw new DecisionError(
        404,
        `Found no applicable policies for ${subject.type.id} subjects at gating point(s) ${prepared.decisionContexts.join(" ")} in ${prepared.productVersion}`,
      );
    }
    const results = latestResults(evidence.results.get(key) ?? [], prepared.ignoreResult);
    if (prepared.verbose) verboseResults.push(...results);
    const ctx = new RuleContext(subject, prepared, results, evidence);
    for (const policy of subjectPolicies) answers.push(...checkPolicy(policy, ctx));
    applicable.push(...subjectPolicies);
    for (const w of evidence.waivers.get(key) ?? []) {
      // what WaiverDB answers for Greenwave's filter {subject_type, subject_identifier, product_version}, less ignore_waiver
      const forSubject = subjectTypeMatches(subject.type, w.subject_type) && w.subject_identifier === subject.identifier && w.product_version === prepared.productVersion;
      if (w.waived && forSubject && !prepared.ignoreWaiver.includes(w.id) && !waivers.some((x) => x.id === w.id)) waivers.push(w);
    }
  }
  const final = waiveAnswers(answers, waivers);
  const response: DecisionResponse = {
    policies_satisfied: final.every(isSatisfied),
    summary: summarize(final),
    satisfied_requirements: final.filter(isSatisfied).map(answerToJson),
    unsatisfied_requirements: final.filter((a) => !isSatisfied(a)).map(answerToJson),
  };
  if (!prepared.onDemand) response.applicable_policies = applicable.map((p) => p.id);
  if (prepared.verbose) {
    response.results = [...new Map(verboseResults.map((r) => [r.id, r])).values()];
    response.waivers = waivers;
  }
  return response;
}
