// `relengotron decide`: a Greenwave decision from the command line, against any ResultsDB and
// WaiverDB (API roots, as Greenwave's RESULTSDB_API_URL / WAIVERDB_API_URL). Prints Greenwave's
// response body; exits 0 whenever a decision was made (satisfied or not). Where Greenwave answers
// 4xx it prints Greenwave's error body (`{"message": …}`) and exits 2 (400, 415) or 4 (404).
import fs from "node:fs";
import type { Command } from "commander";
import { ResultsDbApi } from "../clients/resultsdb.js";
import { KojiClient } from "../clients/koji.js";
import { WaiverDbApi } from "../clients/waiverdb.js";
import { DecisionError } from "../domain/greenwave/decision.js";
import { makeDecision } from "../gating/decide.js";
import { loadPolicyDirectory } from "../gating/policy-dir.js";

export function registerDecideCommands(program: Command): void {
  program
    .command("decide")
    .description("a Greenwave decision: the request body of Greenwave's POST /api/v1.0/decision in, its response out")
    .requiredOption("--policies <dir>", "Greenwave policy files (*.yaml; !SubjectType documents there too)")
    .requiredOption("--resultsdb <url>", "ResultsDB API root, e.g. https://resultsdb.fedoraproject.org/api/v2.0")
    .option("--waiverdb <url>", "WaiverDB API root, e.g. https://waiverdb.fedoraproject.org/api/v1.0 (without it no waivers apply)")
    .option("--koji <url>", "Koji hub (Greenwave's KOJI_BASE_URL), e.g. https://koji.fedoraproject.org/kojihub: a RemoteRule finds the build's dist-git commit there")
    .option("--remote-rule-url <template...>", "where RemoteRules find gating.yaml (REMOTE_RULE_POLICIES); default: Fedora's dist-git")
    .requiredOption("--request <file>", "the decision request (JSON); - reads stdin")
    .action(async (opts: { policies: string; resultsdb: string; waiverdb?: string; koji?: string; remoteRuleUrl?: string[]; request: string }) => {
      const loaded = loadPolicyDirectory(opts.policies);
      const text = fs.readFileSync(opts.request === "-" ? 0 : opts.request, "utf8");
      let body: unknown;
      try {
        body = text.trim() ? JSON.parse(text) : null;
      } catch (error) {
        throw new Error(`${opts.request}: not JSON: ${(error as Error).message}`);
      }
      try {
        const response = await makeDecision(body, {
          policies: loaded.policies,
          subjectTypes: loaded.subjectTypes,
          resultsdb: new ResultsDbApi(opts.resultsdb),
          waiverdb: opts.waiverdb ? new WaiverDbApi(opts.waiverdb) : undefined,
          remoteRules: { koji: opts.koji ? new KojiClient({ url: opts.koji }) : undefined, urlTemplates: opts.remoteRuleUrl ? { "*": opts.remoteRuleUrl } : undefined },
        });
        console.log(JSON.stringify(response, null, 2));
      } catch (error) {
        if (!(error instanceof DecisionError)) throw error;
        console.log(JSON.stringify({ message: error.message }, null, 2));
        console.error(`relengotron: decide: Greenwave answers ${error.status}: ${error.message}`);
        process.exitCode = error.status === 404 ? 4 : 2;
      }
    });
}
