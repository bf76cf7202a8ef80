// A RemoteRule's gating.yaml, found as Greenwave finds it (greenwave/policies.py _remote_urls,
// _remote_urls_template_params_from_koji, RemoteRule._get_sub_policies; greenwave/resources.py
// retrieve_scm_from_koji_build, retrieve_yaml_remote_rule): each URL template in turn — the rule's
// `sources`, else the configured ones, else dist-git's — filled in from the Koji build's source
// URL (`{pkg_namespace}`, `{pkg_name}`, `{rev}`) or the subject id (`{subject_id}`); the first that
// is not a 404 is the file.
import { describeSubject, type RemoteRuleFile, type Subject } from "../domain/greenwave/decision.js";
import type { RemoteRule } from "../domain/greenwave/policies.js";

/** Greenwave's DIST_GIT_URL_TEMPLATE default: Fedora's dist-git. */
export const DIST_GIT_URL_TEMPLATE = "https://src.fedoraproject.org/{pkg_namespace}{pkg_name}/raw/{rev}/f/gating.yaml";

export interface KojiBuildLookup {
  getBuild(nvr: string): Promise<{ source?: string | null; extra?: unknown; creation_time?: string | null } | null>;
}

/**
 * The build's creation time, for rules with valid_since/valid_until (retrieve_koji_build_creation_time:
 * UTC when Koji gives no zone; an unparseable one counts as now).
 */
export async function buildCreationTime(koji: KojiBuildLookup | undefined, nvr: string, now = () => new Date()): Promise<Date> {
  if (!koji) throw new Error(`a rule with valid_since/valid_until needs the Koji build's creation time of ${nvr}: Koji is not configured`);
  const build = await koji.getBuild(nvr);
  if (!build) throw new Error(`Failed to find Koji build for "${nvr}"`);
  const text = String(build.creation_time ?? "").trim().replace(" ", "T");
  const time = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text}Z`);
  return Number.isNaN(time.getTime()) ? now() : time;
}

export interface RemoteRuleSources {
  /** Greenwave's KOJI_BASE_URL; without it templates that need the build's source cannot be filled in */
  koji?: KojiBuildLookup;
  /** REMOTE_RULE_POLICIES: per subject type, or "*"; default: dist-git */
  urlTemplates?: Record<string, string | string[]>;
  fetch?: typeof fetch;
}

class Unfetchable extends Error {}

/** namespace, package and commit from a build's SCM URL, e.g. git+https://src.fedoraproject.org/rpms/bash.git#<commit>. */
export function scmOfSource(nvr: string, source: string): { namespace: string; pkgName: string; rev: string } {
  const url = new URL(source);
  const parts = url.pathname.split("/");
  const namespace = parts.length >= 3 ? parts[parts.length - 2]! : "";
  const rev = url.hash.replace(/^#/, "");
  if (!rev) throw new Unfetchable(`Failed to parse SCM URL "${source}" from Koji build "${nvr}" (missing URL fragment with SCM revision information)`);
  return { namespace, pkgName: parts.at(-1)!.replace(/\.git$/, ""), rev };
}

function sourceOfBuild(build: { source?: string | null; extra?: unknown }): string | null {
  if (build.source) return build.source;
  const extra = build.extra as { source?: { original_url?: unknown } } | null | undefined;
  return typeof extra?.source?.original_url === "string" ? extra.source.original_url : null;
}

export async function fetchRemoteRuleFile(subject: Subject, rule: RemoteRule, deps: RemoteRuleSources): Promise<RemoteRuleFile> {
  const configured = deps.urlTemplates?.[subject.type.id] ?? deps.urlTemplates?.["*"] ?? DIST_GIT_URL_TEMPLATE;
  const templates = rule.sources.length ? rule.sources : Array.isArray(configured) ? configured : [configured];
  const urls: string[] = [];
  let scm: { namespace: string; pkgName: string; rev: string } | null | undefined;
  try {
    for (const template of templates) {
      const params: Record<string, string> = {};
      if (/\{(pkg_name|pkg_namespace|rev)\}/.test(template)) {
        if (scm === undefined) {
          if (!deps.koji) throw new Unfetchable(`Koji is not configured: cannot find the dist-git commit of ${describeSubject(subject)}`);
          const build = await deps.koji.getBuild(subject.identifier);
          if (!build) return { error: `Koji build not found for ${describeSubject(subject)}`, urls };
          const source = sourceOfBuild(build);
          scm = source ? scmOfSource(subject.identifier, source) : null;
        }
        if (scm === null) continue; // no SCM URL: Greenwave skips the template (NoSourceException)
        const pkgName = scm.namespace === "containers" ? scm.pkgName.replace(/-container$/, "") : scm.pkgName;
        Object.assign(params, { rev: scm.rev, pkg_name: pkgName, pkg_namespace: scm.namespace ? `${scm.namespace}/` : "" });
      }
      if (template.includes("{subject_id}")) params.subject_id = subject.identifier.replace(/^sha256:/, "");
      const url = template.replace(/\{(\w+)\}/g, (m, key: string) => params[key] ?? m);
      urls.push(url);
      const res = await (deps.fetch ?? fetch)(url);
      if (res.status === 404) continue;
      // any other failure fails the decision (Greenwave answers 502)
      if (!res.ok) throw new Error(`Got unexpected status code ${res.status} for ${url}: ${(await res.text()).slice(0, 200)}`);
      return { found: true, url, text: await res.text() };
    }
  } catch (error) {
    if (error instanceof Unfetchable) return { error: error.message, urls };
    throw error;
  }
  return { found: false, urls };
}
