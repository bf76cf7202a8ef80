// What a running API decides with: the policies directory (loaded and validated once, at start),
// ResultsDB and WaiverDB API roots, and Koji for RemoteRules.
import fs from "node:fs";
import { KojiClient } from "../clients/koji.js";
import { ResultsDbApi } from "../clients/resultsdb.js";
import { WaiverDbApi } from "../clients/waiverdb.js";
import type { Config } from "../config.js";
import type { DecisionSources } from "./decide.js";
import { loadPolicyDirectory } from "./policy-dir.js";
import type { KojiBuildLookup } from "./remote-rules.js";

export interface GatingEndpoints {
  policiesDir: string;
  /** ResultsDB's API root, …/api/v2.0 */
  resultsdbApi: string | undefined;
  /** WaiverDB's API root, …/api/v1.0 */
  waiverdbApi?: string;
  koji?: KojiBuildLookup;
}

/** undefined (POST /api/v1/decision answers 503) when there is no policies directory or no ResultsDB. */
export function gatingSources(e: GatingEndpoints): DecisionSources | undefined {
  if (!e.resultsdbApi || !fs.existsSync(e.policiesDir)) return undefined;
  const { policies, subjectTypes } = loadPolicyDirectory(e.policiesDir);
  return {
    policies,
    subjectTypes,
    resultsdb: new ResultsDbApi(e.resultsdbApi),
    waiverdb: e.waiverdbApi ? new WaiverDbApi(e.waiverdbApi) : undefined,
    remoteRules: { koji: e.koji },
  };
}

const apiRoot = (base: string | undefined, api: string) => base && `${base.replace(/\/+$/, "")}${api}`;

/** A deployment's: RELENGOTRON_POLICIES_DIR, RESULTSDB_URL, WAIVERDB_URL, KOJI_URL (anonymous reads). */
export function configuredGatingSources(cfg: Config): DecisionSources | undefined {
  return gatingSources({
    policiesDir: cfg.RELENGOTRON_POLICIES_DIR,
    resultsdbApi: apiRoot(cfg.RESULTSDB_URL, "/api/v2.0"),
    waiverdbApi: apiRoot(cfg.WAIVERDB_URL, "/api/v1.0"),
    koji: cfg.KOJI_URL ? new KojiClient({ url: cfg.KOJI_URL }) : undefined,
  });
}
