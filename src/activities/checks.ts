// Checks per artifact, recorded in composedb:
//   size-budget     growth against the previous build of the artifact stays within its budget
//   installability  its package set is available in the compose's repositories and their
//                   requirements are provided there (dependency data from Koji's getRPMDeps)
//   ci:<testcase>   external CI (openQA, …) reported a passing result to ResultsDB
import { Context } from "@temporalio/activity";
import { z } from "zod";
import type { KojiClient } from "../clients/koji.js";
import type { ResultsDbClient } from "../clients/resultsdb.js";
import { loadComposeContent } from "../composedb/queries.js";
import type { Db } from "../db/database.js";
import type { ArtifactDefinition, ReleaseDefinition } from "../domain/artifact-definitions.js";
import type { CheckRecord } from "../domain/gate.js";
import type { ComposeContent } from "../domain/compose-content.js";
import { parseNevra } from "../domain/nevra.js";
import { rpmKey } from "../domain/plan.js";
import type { ArtifactOutput } from "../domain/pipeline.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { ReleaseCatalog } from "../releases/catalog.js";
import { imageNvr } from "./artifact-build.js";
import { selectArtifacts } from "./plan.js";
import { loadSnapshot } from "./snapshot.js";

export interface ChecksInput {
  pipelineId: string;
  release: string;
  composeId: string;
  snapshotId: number;
  artifacts: { artifact: string; reuse?: { pipelineId: string; composeId: string } }[];
  /** only these checks (e.g. re-asking CI after a ResultsDB message); default: all */
  only?: ("size-budget" | "installability" | "ci")[];
}

interface Detail {
  summary: string;
  [key: string]: unknown;
}

const depSchema = z.array(z.looseObject({ name: z.string(), type: z.number() }));
const DEP_REQUIRE = 0;
const DEP_PROVIDE = 1;

export function createCheckActivities(deps: { db: Db; koji: KojiClient; resultsdb: ResultsDbClient; releases: ReleaseCatalog }) {
  const { db } = deps;

  async function buildOf(pipelineId: string, artifact: string) {
    const row = await db.artifactBuild.findUnique({ where: { pipelineId_artifact: { pipelineId, artifact } } });
    if (!row || row.state !== "SUCCEEDED") throw new Error(`no successful build of ${artifact} in ${pipelineId}`);
    return row;
  }

  async function sizeBudget(artifact: ArtifactDefinition, ref: ChecksInput["artifacts"][number], pipelineId: string): Promise<[CheckRecord["outcome"], Detail]> {
    if (ref.reuse) return ["PASSED", { summary: `reused from ${ref.reuse.composeId}: size unchanged` }];
    const build = await buildOf(pipelineId, artifact.name);
    const previous = await db.artifactBuild.findFirst({
      where: { release: build.release, artifact: artifact.name, state: "SUCCEEDED", id: { not: build.id }, finishedAt: { lt: build.finishedAt ?? new Date() } },
      orderBy: { finishedAt: "desc" },
    });
    const total = (outputs: unknown) => (outputs as ArtifactOutput[]).reduce((sum, o) => sum + o.size, 0);
    const size = total(build.outputs);
    if (!previous) return ["PASSED", { summary: `first build: ${size} bytes, nothing to compare with`, size }];
    const before = total(previous.outputs);
    const growth = before === 0 ? 0 : ((size - before) / before) * 100;
    const budget = artifact.checks.maxGrowthPercent;
    const detail = { size, previousSize: before, previousCompose: previous.composeId, growthPercent: Number(growth.toFixed(2)), budgetPercent: budget };
    return growth > budget
      ? ["FAILED", { ...detail, summary: `grew ${growth.toFixed(1)}% since ${previous.composeId} (${before} -> ${size} bytes), budget ${budget}%` }]
      : ["PASSED", { ...detail, summary: `${growth >= 0 ? "grew" : "shrank"} ${Math.abs(growth).toFixed(1)}% since ${previous.composeId}, budget ${budget}%` }];
  }

  async function installability(artifact: ArtifactDefinition, components: string[], repos: ComposeRepos): Promise<[CheckRecord["outcome"], Detail]> {
    if (components.length === 0) return ["MISSING", { summary: "Koji recorded no package list for this artifact" }];
    const content = await repos.content();
    const problems: string[] = [];
    let checked = 0;
    for (const arch of artifact.arches) {
      // The compose's repositories for the artifact: its variant and Everything.
      const repo = [...new Set(
        [...(content.rpms[artifact.variant]?.[arch] ?? []), ...(content.rpms.Everything?.[arch] ?? [])].filter((r) => r.category === "binary").map((r) => r.nevra),
      )];
      const available = new Map(repo.map((nevra) => [rpmKey(nevra), nevra]));
      const installed: string[] = [];
      for (const n of components.map(parseNevra).filter((c) => c.arch === arch || c.arch === "noarch")) {
        const nevra = available.get(`${n.name}.${n.arch}`);
        if (!nevra) problems.push(`${arch}: package ${n.name}.${n.arch} is not in the compose's ${artifact.variant} or Everything repositories`);
        else installed.push(nevra);
      }
      // Requirements of what would be installed, against everything the repositories provide.
      const depsOf = await repos.deps(repo);
      const provides = new Set<string>(repo.map((n) => parseNevra(n).name));
      for (const nevra of repo) for (const d of depsOf.get(nevra) ?? []) if (d.type === DEP_PROVIDE) provides.add(d.name);
      for (const nevra of installed) {
        for (const dep of depsOf.get(nevra) ?? []) {
          if (dep.type !== DEP_REQUIRE || dep.name.startsWith("rpmlib(") || dep.name.startsWith("/")) continue;
          if (!provides.has(dep.name)) problems.push(`${arch}: ${nevra} requires ${dep.name}, which nothing in the repositories provides`);
        }
      }
      checked += installed.length;
    }
    return problems.length
      ? ["FAILED", { summary: `${problems.length} problem(s): ${problems.slice(0, 3).join("; ")}${problems.length > 3 ? "; …" : ""}`, problems }]
      : ["PASSED", { summary: `${checked} packages installable from ${repos.composeId}` }];
  }

  async function ci(def: ReleaseDefinition, artifact: ArtifactDefinition, ref: ChecksInput["artifacts"][number], input: ChecksInput) {
    const nvr = imageNvr(def, artifact, ref.reuse?.composeId ?? input.composeId);
    const item = `${nvr.name}-${nvr.version}-${nvr.release}`;
    const testcases = artifact.checks.ciTestcases;
    if (testcases.length === 0) return [];
    const results = await deps.resultsdb.latest(item, "koji_build", testcases);
    return testcases.map((testcase): [string, CheckRecord["outcome"], Detail] => {
      const r = results.find((x) => x.testcase.name === testcase);
      if (!r) return [`ci:${testcase}`, "MISSING", { summary: `no ${testcase} result for ${item} in ResultsDB yet`, item }];
      const outcome = r.outcome === "PASSED" || r.outcome === "INFO" ? "PASSED" : r.outcome === "RUNNING" || r.outcome === "QUEUED" ? "MISSING" : "FAILED";
      return [`ci:${testcase}`, outcome, { summary: `${testcase}: ${r.outcome} for ${item}`, item, resultId: r.id, ref_url: r.ref_url ?? null }];
    });
  }

  return {
    async runChecks(input: ChecksInput): Promise<CheckRecord[]> {
      const def = deps.releases.get(input.release);
      const records: CheckRecord[] = [];
      const wants = (kind: "size-budget" | "installability" | "ci") => !input.only || input.only.includes(kind);
      // Loaded once for every artifact of the compose.
      const repos = composeRepos(db, deps.koji, input.composeId, input.snapshotId);
      for (const ref of input.artifacts) {
        Context.current().heartbeat({ checking: ref.artifact });
        const artifact = selectArtifacts(def, [ref.artifact])[0]!;
        const build = await buildOf(ref.reuse?.pipelineId ?? input.pipelineId, artifact.name);
        const results: [string, CheckRecord["outcome"], Detail][] = [];
        if (wants("size-budget")) results.push(["size-budget", ...(await sizeBudget(artifact, ref, input.pipelineId))]);
        if (wants("installability")) results.push(["installability", ...(await installability(artifact, build.components, repos))]);
        if (wants("ci")) results.push(...(await ci(def, artifact, ref, input)));
        for (const [check, outcome, detail] of results) {
          await db.checkResult.upsert({
            where: { pipelineId_artifact_check: { pipelineId: input.pipelineId, artifact: artifact.name, check } },
            create: { pipelineId: input.pipelineId, artifact: artifact.name, check, outcome, detail: detail as Prisma.InputJsonObject },
            update: { outcome, detail: detail as Prisma.InputJsonObject },
          });
          records.push({ artifact: artifact.name, check, outcome, summary: detail.summary });
        }
      }
      return records;
    },
  };
}

type Deps = z.infer<typeof depSchema>;

interface ComposeRepos {
  composeId: string;
  content(): Promise<ComposeContent>;
  /** Koji's dependencies of these RPMs; each RPM is asked for once, in multicalls the client splits to fit the hub's MaxRequestLength */
  deps(nevras: string[]): Promise<Map<string, Deps>>;
}

function composeRepos(db: Db, koji: KojiClient, composeId: string, snapshotId: number): ComposeRepos {
  let content: Promise<ComposeContent> | undefined;
  let kojiIds: Promise<Map<string, number>> | undefined;
  const known = new Map<string, Deps>();
  return {
    composeId,
    content: () => (content ??= loadComposeContent(db, composeId)),
    async deps(nevras) {
      kojiIds ??= loadSnapshot(db, snapshotId).then((s) => new Map(s.rpms.map((r) => [r.nevra, r.id])));
      const ids = await kojiIds;
      const missing = nevras.filter((n) => !known.has(n) && ids.has(n));
      if (missing.length > 0) {
        const results = await koji.multicall(missing.map((n) => ({ method: "getRPMDeps", params: [ids.get(n)!] })));
        results.forEach((r, i) => {
          if (!r.ok) throw r.fault;
          known.set(missing[i]!, depSchema.parse(r.value));
        });
      }
      return new Map(nevras.map((n) => [n, known.get(n) ?? []]));
    },
  };
}
