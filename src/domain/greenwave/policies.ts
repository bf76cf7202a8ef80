// Greenwave policies in Greenwave's own YAML: `--- !Policy` documents whose rules are
// `!PassingTestCaseRule` and `!RemoteRule`, plus `!SubjectType` documents. Semantics follow
// release-engineering/greenwave (greenwave/policies.py: Policy, RemotePolicy, OnDemandPolicy,
// PassingTestCaseRule, RemoteRule; greenwave/safe_yaml.py: the attribute types;
// greenwave/subjects/subject_type.py: SubjectType). Pure: text in, policies out; no I/O.
//
// Where relengotron is stricter than Greenwave: an unknown field or tag is an error naming the
// file, line, policy id and field (Greenwave silently ignores unknown fields). relengotron's one
// extension: `rings: [ring-0, ring-1]` restricts a policy to subjects in those rings.
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from "yaml";
import { fnmatch } from "./fnmatch.js";

export interface PassingTestCaseRule {
  rule: "PassingTestCaseRule";
  testCaseName: string;
  scenario: string | null;
  validSince: Date | null;
  validUntil: Date | null;
}

export interface RemoteRule {
  rule: "RemoteRule";
  sources: string[];
  required: boolean;
}

export type Rule = PassingTestCaseRule | RemoteRule;

export type PolicyKind = "local" | "remote" | "on-demand";

export interface Policy {
  kind: PolicyKind;
  id: string | null;
  productVersions: string[];
  decisionContexts: string[];
  /** `*` (remote policies without a subject type) matches every subject type */
  subjectTypes: string[];
  rules: Rule[];
  excludedPackages: string[];
  packages: string[];
  relevanceKey: string | null;
  relevanceValue: string | null;
  /** relengotron's extension: the rings (by name) this policy applies to; null: every subject */
  rings: string[] | null;
  /** Greenwave's `source`: the remote rule file's URL for remote policies, null for local ones */
  source: string | null;
  /** where it was read, for messages */
  origin: { file: string; line: number };
}

export interface ProductVersionMatch {
  match: string;
  product_version: string;
}

export interface ItemDict {
  item_key?: string;
  keys?: Record<string, string>;
}

export interface SubjectType {
  id: string;
  aliases: string[];
  itemKey: string | null;
  isKojiBuild: boolean;
  isNvr: boolean;
  ignoreMissingPolicy: boolean;
  productVersionMatch: ProductVersionMatch[];
  productVersionFromKojiBuildTarget: ProductVersionMatch[];
  productVersion: string | null;
  itemDict: ItemDict | null;
  resultQueries: ItemDict[] | null;
}

export class PolicyError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly policyId: string | null,
    readonly field: string | null,
    readonly reason: string,
    readonly label = "policy",
  ) {
    const where = line > 0 ? `${file}:${line}` : file;
    const who = policyId === null ? "" : ` ${label} ${JSON.stringify(policyId)}:`;
    super(`${where}:${who}${field ? ` field "${field}":` : ""} ${reason}`);
  }
}

export interface PolicySet {
  policies: Policy[];
  /** `!SubjectType` documents found next to the policies (Greenwave keeps them in SUBJECT_TYPES_DIR) */
  subjectTypes: SubjectType[];
}

// ---- an intermediate tree that keeps tags and lines, built from YAML nodes or JSON values ----

interface Val {
  tag: string | null;
  line: number;
  scalar?: unknown;
  seq?: Val[];
  map?: Map<string, { key: Val; value: Val }>;
}

function fromYaml(node: Node | null, lines: LineCounter): Val {
  const line = node?.range ? lines.linePos(node.range[0]).line : 0;
  if (node === null || node === undefined) return { tag: null, line, scalar: null };
  const tag = node.tag ?? null;
  if (isMap(node)) {
    const map = new Map<string, { key: Val; value: Val }>();
    for (const pair of node.items) {
      const key = fromYaml(pair.key as Node | null, lines);
      map.set(String(key.scalar), { key, value: fromYaml(pair.value as Node | null, lines) });
    }
    return { tag, line, map };
  }
  if (isSeq(node)) return { tag, line, seq: node.items.map((n) => fromYaml(n as Node, lines)) };
  if (isScalar(node)) return { tag: tag && !tag.startsWith("!") ? null : tag, line, scalar: node.value };
  return { tag, line, scalar: String(node) };
}

/** JSON values (on-demand rules in a decision request): a dict with `type` is that tagged object. */
function fromJson(value: unknown): Val {
  if (Array.isArray(value)) return { tag: null, line: 0, seq: value.map(fromJson) };
  if (value !== null && typeof value === "object") {
    const map = new Map<string, { key: Val; value: Val }>();
    for (const [k, v] of Object.entries(value)) map.set(k, { key: { tag: null, line: 0, scalar: k }, value: fromJson(v) });
    return { tag: null, line: 0, map };
  }
  return { tag: null, line: 0, scalar: value };
}

// ---- attribute types, after greenwave/safe_yaml.py ----

type Ctx = { file: string; id: string | null; label?: string };
const fail = (ctx: Ctx, v: Val | null, field: string | null, reason: string): never => {
  throw new PolicyError(ctx.file, v?.line ?? 0, ctx.id, field, reason, ctx.label);
};

const describe = (v: Val): string =>
  v.map ? "a mapping" : v.seq ? "a list" : v.scalar === null ? "nothing (null)" : JSON.stringify(v.scalar);

function str(ctx: Ctx, field: string, v: Val): string {
  // SafeYAMLString takes any scalar as its string form
  if (v.map || v.seq || v.scalar === null || v.scalar === undefined) return fail(ctx, v, field, `expected a string, got ${describe(v)}`);
  return String(v.scalar);
}

function strList(ctx: Ctx, field: string, v: Val): string[] {
  if (!v.seq) return fail(ctx, v, field, `expected a list of strings, got ${describe(v)}`);
  return v.seq.map((item) => {
    if (typeof item.scalar !== "string" || item.tag) return fail(ctx, item, field, `expected a list of strings, got ${describe(item)}`);
    return item.scalar;
  });
}

function bool(ctx: Ctx, field: string, v: Val): boolean {
  if (typeof v.scalar !== "boolean") return fail(ctx, v, field, `expected a boolean value, got ${describe(v)}`);
  return v.scalar;
}

function dateTime(ctx: Ctx, field: string, v: Val): Date {
  const text = v.scalar instanceof Date ? v.scalar.toISOString() : str(ctx, field, v);
  // dateutil.parse with UTC when no zone is given
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(" ", "T")}Z`;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return fail(ctx, v, field, `could not parse string as date/time, got: ${text}`);
  return d;
}

function plain(v: Val): unknown {
  if (v.map) return Object.fromEntries([...v.map].map(([k, e]) => [k, plain(e.value)]));
  if (v.seq) return v.seq.map(plain);
  return v.scalar;
}

function fields<T extends Record<string, (ctx: Ctx, field: string, v: Val) => unknown>>(
  ctx: Ctx,
  v: Val,
  spec: T,
  required: readonly (keyof T & string)[],
): { [K in keyof T]?: ReturnType<T[K]> } {
  if (!v.map) return fail(ctx, v, null, `expected a mapping, got ${describe(v)}`);
  const out: Record<string, unknown> = {};
  for (const [name, { key, value }] of v.map) {
    const parse = spec[name];
    if (!parse) return fail(ctx, key, name, `unknown field (expected one of ${Object.keys(spec).join(", ")})`);
    if (value.tag) return fail(ctx, value, name, `unexpected tag ${value.tag}`);
    out[name] = parse(ctx, name, value);
  }
  for (const name of required) if (!(name in out)) fail(ctx, v, name, "is required");
  return out as { [K in keyof T]?: ReturnType<T[K]> };
}

// ---- rules ----

const OBSOLETE: Record<string, string> = {
  // greenwave/policies.py ObsoleteRule subclasses
  "!PackageSpecificBuild": 'Please use the "packages" allowlist instead.',
  "!FedoraAtomicCi": 'Please use the "packages" allowlist instead.',
};

function ruleFrom(ctx: Ctx, v: Val, field: string, allowRemote: boolean): Rule {
  let tag = v.tag;
  let body = v;
  if (!tag && v.map?.has("type")) {
    // the JSON form of on-demand rules: {"type": "PassingTestCaseRule", …}
    const type = v.map.get("type")!.value;
    tag = `!${String(type.scalar)}`;
    body = { ...v, map: new Map([...v.map].filter(([k]) => k !== "type")) };
  }
  if (tag && OBSOLETE[tag]) return fail(ctx, v, field, `${tag} is obsolete. ${OBSOLETE[tag]}`);
  if (tag === "!PassingTestCaseRule") {
    const f = fields(ctx, body, { test_case_name: str, scenario: str, valid_since: dateTime, valid_until: dateTime }, ["test_case_name"]);
    return { rule: "PassingTestCaseRule", testCaseName: f.test_case_name!, scenario: f.scenario ?? null, validSince: f.valid_since ?? null, validUntil: f.valid_until ?? null };
  }
  if (tag === "!RemoteRule") {
    if (!allowRemote) return fail(ctx, v, field, "RemoteRule is not allowed in remote policies");
    const f = fields(ctx, body.map ? body : { ...body, map: new Map() }, { sources: strList, required: bool }, []);
    return { rule: "RemoteRule", sources: f.sources ?? [], required: f.required ?? false };
  }
  if (!tag) return fail(ctx, v, field, `expected a list of rules (!PassingTestCaseRule or !RemoteRule), got ${describe(v)}`);
  return fail(ctx, v, field, `unknown rule tag ${tag} (expected !PassingTestCaseRule or !RemoteRule)`);
}

function rulesFrom(allowRemote: boolean) {
  return (ctx: Ctx, field: string, v: Val): Rule[] => {
    if (!v.seq) return fail(ctx, v, field, `expected a list of rules, got ${describe(v)}`);
    return v.seq.map((item) => ruleFrom(ctx, item, field, allowRemote));
  };
}

// ---- policies ----

const LOCAL_FIELDS = {
  id: str,
  product_versions: strList,
  decision_context: str,
  decision_contexts: strList,
  subject_type: str,
  subject_types: strList,
  rules: rulesFrom(true),
  excluded_packages: strList,
  packages: strList,
  relevance_key: str,
  relevance_value: str,
  rings: strList,
};

const REMOTE_FIELDS = {
  id: str,
  product_versions: strList,
  subject_type: str,
  subject_types: strList,
  decision_context: str,
  decision_contexts: strList,
  rules: rulesFrom(false),
  excluded_packages: strList,
  packages: strList,
};

function policyFrom(kind: PolicyKind, file: string, v: Val): Policy {
  const idVal = v.map?.get("id")?.value;
  const ctx: Ctx = { file, id: idVal && !idVal.map && !idVal.seq && idVal.scalar != null ? String(idVal.scalar) : kind === "local" ? "untitled" : null };
  const f =
    kind === "remote"
      ? fields(ctx, v, REMOTE_FIELDS, ["rules"])
      : (fields(ctx, v, LOCAL_FIELDS, ["id", "product_versions", "rules"]) as ReturnType<typeof fields<typeof LOCAL_FIELDS>>);
  const local = f as { rings?: string[]; relevance_key?: string; relevance_value?: string };
  // Policy.validate
  let subjectTypes: string[];
  if (f.subject_type !== undefined && f.subject_types?.length) fail(ctx, v, "subject_type", 'both properties "subject_types" and "subject_type" were set');
  if (f.subject_type !== undefined) subjectTypes = [f.subject_type];
  else if (f.subject_types?.length) subjectTypes = f.subject_types;
  else if (kind === "remote") subjectTypes = ["*"];
  else return fail(ctx, v, "subject_type", "no subject types provided");
  let decisionContexts: string[];
  if (f.decision_context && f.decision_contexts?.length) fail(ctx, v, "decision_context", 'both properties "decision_contexts" and "decision_context" were set');
  if (f.decision_context) decisionContexts = [f.decision_context];
  else if (f.decision_contexts?.length) decisionContexts = f.decision_contexts;
  else return fail(ctx, v, "decision_context", "no decision contexts provided");
  return {
    kind,
    id: f.id ?? null,
    productVersions: f.product_versions ?? (kind === "remote" ? ["*"] : []),
    decisionContexts,
    subjectTypes,
    rules: f.rules ?? [],
    excludedPackages: f.excluded_packages ?? [],
    packages: f.packages ?? [],
    relevanceKey: local.relevance_key ?? null,
    relevanceValue: local.relevance_value ?? null,
    rings: local.rings ?? null,
    source: null,
    origin: { file, line: v.line },
  };
}

// ---- subject types ----

const pvMatchList = (ctx: Ctx, field: string, v: Val): ProductVersionMatch[] => {
  if (!v.seq) return fail(ctx, v, field, `expected a list of {match, product_version}, got ${describe(v)}`);
  return v.seq.map((item) => {
    const f = fields(ctx, item, { match: str, product_version: str }, ["match", "product_version"]);
    return { match: f.match!, product_version: f.product_version! };
  });
};
const itemDict = (ctx: Ctx, field: string, v: Val): ItemDict => {
  if (!v.map) return fail(ctx, v, field, `expected a dict value, got ${describe(v)}`);
  return plain(v) as ItemDict;
};
const itemDictList = (ctx: Ctx, field: string, v: Val): ItemDict[] => {
  if (!v.seq) return fail(ctx, v, field, `expected a list of dicts, got ${describe(v)}`);
  return v.seq.map((item) => itemDict(ctx, field, item));
};

function subjectTypeFrom(file: string, v: Val): SubjectType {
  const idVal = v.map?.get("id")?.value;
  const ctx: Ctx = { file, id: idVal?.scalar != null ? String(idVal.scalar) : "untitled", label: "subject type" };
  const f = fields(
    ctx,
    v,
    {
      id: str,
      aliases: strList,
      item_key: str,
      is_koji_build: bool,
      is_nvr: bool,
      ignore_missing_policy: bool,
      product_version_match: pvMatchList,
      product_version_from_koji_build_target: pvMatchList,
      product_version: str,
      item_dict: itemDict,
      result_queries: itemDictList,
    },
    ["id"],
  );
  return {
    id: f.id!,
    aliases: f.aliases ?? [],
    itemKey: f.item_key ?? null,
    isKojiBuild: f.is_koji_build ?? false,
    isNvr: f.is_nvr ?? false,
    ignoreMissingPolicy: f.ignore_missing_policy ?? false,
    productVersionMatch: f.product_version_match ?? [],
    productVersionFromKojiBuildTarget: f.product_version_from_koji_build_target ?? [],
    productVersion: f.product_version ?? null,
    itemDict: f.item_dict ?? null,
    resultQueries: f.result_queries ?? null,
  };
}

// ---- loading ----

function documents(file: string, text: string): Val[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: Val[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const line = lines.linePos(error.pos[0]).line;
      throw new PolicyError(file, line, null, null, `YAML parser error: ${error.message.split("\n")[0]}`);
    }
    if (doc.contents === null) continue; // comments only
    out.push(fromYaml(doc.contents, lines));
  }
  return out;
}

/**
 * The `!Policy` and `!SubjectType` documents of one file (Greenwave's load_policies reads
 * `*.yaml`; untagged root documents are taken as `!Policy`, as Greenwave's loader does).
 */
export function parsePolicyFile(file: string, text: string): PolicySet {
  const set: PolicySet = { policies: [], subjectTypes: [] };
  for (const doc of documents(file, text)) {
    if (!doc.map) throw new PolicyError(file, doc.line, null, null, `expected a mapping for a !Policy document, got ${describe(doc)}`);
    if (doc.tag === "!SubjectType") set.subjectTypes.push(subjectTypeFrom(file, doc));
    else if (doc.tag === null || doc.tag === "!Policy") set.policies.push(policyFrom("local", file, doc));
    else throw new PolicyError(file, doc.line, null, null, `a document tagged ${doc.tag} cannot stand at the top level (expected !Policy or !SubjectType)`);
  }
  return set;
}

/** Policies from a package's `gating.yaml` (RemotePolicy: defaults `product_versions: ["*"]`, any subject type). */
export function parseRemotePolicies(source: string, text: string): Policy[] {
  return documents(source, text).map((doc) => {
    if (!doc.map) throw new PolicyError(source, doc.line, null, null, `expected a mapping for a !Policy document, got ${describe(doc)}`);
    if (doc.tag !== null && doc.tag !== "!Policy") throw new PolicyError(source, doc.line, null, null, `expected a !Policy document, got ${doc.tag}`);
    return { ...policyFrom("remote", source, doc), source };
  });
}

/** OnDemandPolicy.create_from_json: the `rules` (and `packages`, `excluded_packages`) of a decision request. */
export function onDemandPolicy(data: { product_version: string; subject_type: string; [key: string]: unknown }): Policy {
  const known = ["id", "product_versions", "decision_context", "decision_contexts", "subject_type", "subject_types", "rules", "excluded_packages", "packages", "relevance_key", "relevance_value"];
  const merged: Record<string, unknown> = { id: "on-demand-policy", product_versions: [data.product_version], decision_context: "on-demand-policy", subject_type: "unused" };
  for (const [k, v] of Object.entries(data)) if (known.includes(k) && v !== null && v !== undefined) merged[k] = v;
  const val = fromJson(merged);
  return { ...policyFrom("on-demand", "request", val), kind: "on-demand" };
}

// ---- matching, after Policy.matches and friends ----

export interface MatchAttributes {
  decisionContexts: string[];
  productVersion: string;
  subjectType: SubjectType;
  /** relengotron: the ring the subject is in, when known */
  ring?: string | null;
}

export function subjectTypeMatches(type: SubjectType, id: string): boolean {
  return id === type.id || type.aliases.includes(id);
}

export function matchesProductVersion(policy: Policy, productVersion: string): boolean {
  return policy.productVersions.some((pattern) => fnmatch(productVersion, pattern));
}

/** Policy.matches for a decision (match_any_remote_rule: every rule matches). */
export function policyMatches(policy: Policy, a: MatchAttributes): boolean {
  if (a.decisionContexts.length && !a.decisionContexts.some((c) => policy.decisionContexts.includes(c))) return false;
  if (a.productVersion && !matchesProductVersion(policy, a.productVersion)) return false;
  if (policy.kind === "local" && !policy.subjectTypes.some((t) => subjectTypeMatches(a.subjectType, t))) return false;
  if (policy.kind === "remote" && !policy.subjectTypes.includes("*") && !policy.subjectTypes.some((t) => subjectTypeMatches(a.subjectType, t))) return false;
  if (policy.rings && !(a.ring && policy.rings.includes(a.ring))) return false;
  return true;
}

export function ruleKey(rule: Rule): string {
  return rule.rule === "PassingTestCaseRule"
    ? JSON.stringify([rule.rule, rule.testCaseName, rule.scenario])
    : JSON.stringify([rule.rule, rule.required, rule.sources]);
}

export function ruleToJson(rule: Rule): Record<string, unknown> {
  return rule.rule === "PassingTestCaseRule"
    ? { rule: rule.rule, test_case_name: rule.testCaseName, scenario: rule.scenario }
    : { rule: rule.rule, required: rule.required, sources: rule.sources };
}

// ---- Greenwave's own subject types (conf/subject_types/*.yaml), the defaults ----

const base = (id: string): SubjectType => ({
  id,
  aliases: [],
  itemKey: null,
  isKojiBuild: false,
  isNvr: false,
  ignoreMissingPolicy: false,
  productVersionMatch: [],
  productVersionFromKojiBuildTarget: [],
  productVersion: null,
  itemDict: null,
  resultQueries: null,
});

export const DEFAULT_SUBJECT_TYPES: readonly SubjectType[] = [
  {
    ...base("koji_build"),
    aliases: ["brew-build"],
    isKojiBuild: true,
    isNvr: true,
    itemKey: "original_spec_nvr",
    resultQueries: [{ item_key: "item", keys: { type: "koji_build,brew-build" } }, { item_key: "original_spec_nvr" }],
    productVersionFromKojiBuildTarget: [
      { match: "^(rhel-\\d+\\.\\d+).*", product_version: "\\1" },
      { match: "^(rhel-\\d+).*", product_version: "\\1" },
    ],
  },
  { ...base("bodhi_update"), ignoreMissingPolicy: true },
  {
    ...base("compose"),
    itemKey: "productmd.compose.id",
    itemDict: { item_key: "productmd.compose.id" },
    productVersionMatch: [{ match: "^(RHEL-\\d*)\\..*", product_version: "\\1" }],
  },
];

/** Subject types found in policy files replace the defaults of the same id. */
export function mergeSubjectTypes(found: readonly SubjectType[]): SubjectType[] {
  const ids = new Set(found.map((t) => t.id));
  return [...found, ...DEFAULT_SUBJECT_TYPES.filter((t) => !ids.has(t.id))];
}

/** create_subject_type: the type with that id or alias, else a generic one. */
export function subjectTypeFor(types: readonly SubjectType[], id: string): SubjectType {
  return types.find((t) => subjectTypeMatches(t, id)) ?? { ...base(id), isKojiBuild: true };
}
