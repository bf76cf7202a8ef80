// Planning against composedb: the last successful build of every artifact, its components and
// inputs, compared with the snapshot by the pure planner.
import { z } from "zod";
import type { Db } from "../db/database.js";
import type { ArtifactDefinition, ReleaseDefinition } from "../domain/artifact-definitions.js";
import { configSourceSchema } from "../domain/artifact-definitions.js";
import { planArtifacts, type LastBuild, type PlanEntry } from "../domain/plan.js";
import type { ReleaseCatalog } from "../releases/catalog.js";
import { loadSnapshot, tagRpmIndex, type Snapshot } from "./snapshot.js";

/** What a build was made with; stored with every ArtifactBuild so later plans can compare. */
export const buildInputsSchema = z.object({
  config: z.array(configSourceSchema),
  tools: z.record(z.string(), z.string()),
  build: z.unknown(),
});
export type BuildInputs = z.infer<typeof buildInputsSchema>;

export function buildInputsOf(def: ArtifactDefinition): BuildInputs {
  return { config: def.config, tools: def.tools, build: def.build };
}

export async function lastSuccessfulBuilds(db: Db, release: string, artifacts: string[]): Promise<Map<string, LastBuild>> {
  const rows = await db.artifactBuild.findMany({
    where: { release, artifact: { in: artifacts }, state: "SUCCEEDED", fingerprint: { not: null } },
    orderBy: [{ finishedAt: "desc" }, { id: "desc" }],
    distinct: ["artifact"],
  });
  return new Map(
    rows.map((row) => {
      const inputs = buildInputsSchema.parse(row.inputs);
      return [
        row.artifact,
        {
          pipelineId: row.pipelineId,
          composeId: row.composeId,
          fingerprint: row.fingerprint!,
          components: row.components,
          config: inputs.config,
          tools: inputs.tools,
          buildOptions: inputs.build,
        },
      ];
    }),
  );
}

export function selectArtifacts(def: ReleaseDefinition, only: readonly string[]): ArtifactDefinition[] {
  if (only.length === 0) return def.artifacts;
  const unknown = only.filter((name) => !def.artifacts.some((a) => a.name === name));
  if (unknown.length) throw new Error(`release ${def.release.name} has no artifact ${unknown.join(", ")}`);
  return def.artifacts.filter((a) => only.includes(a.name));
}

export async function planFromSnapshot(
  db: Db,
  def: ReleaseDefinition,
  snapshot: Pick<Snapshot, "rpms">,
  opts: { artifacts?: readonly string[]; force?: readonly string[] } = {},
): Promise<PlanEntry[]> {
  // `artifacts` names the candidates for a rebuild; the plan still covers every artifact.
  const only = opts.artifacts ?? [];
  const candidates = only.length > 0 ? new Set(selectArtifacts(def, only).map((a) => a.name)) : undefined;
  const lastBuilds = await lastSuccessfulBuilds(db, def.release.name, def.artifacts.map((d) => d.name));
  return planArtifacts({ definitions: def.artifacts, tagRpms: tagRpmIndex(snapshot), lastBuilds, force: new Set(opts.force ?? []), candidates });
}

export function createPlanActivities(deps: { db: Db; releases: ReleaseCatalog }) {
  return {
    async planPipeline(input: { pipelineId: string; release: string; snapshotId: number; artifacts: string[]; force: string[] }) {
      const def = deps.releases.get(input.release);
      const snapshot = await loadSnapshot(deps.db, input.snapshotId);
      return planFromSnapshot(deps.db, def, snapshot, input);
    },

    /** The checks each artifact must pass to be published, and how long CI may take to report. */
    async requiredChecks(input: { release: string; artifacts: string[] }): Promise<{ required: Record<string, string[]>; ciWaitSeconds: number }> {
      const def = deps.releases.get(input.release);
      const required = Object.fromEntries(
        input.artifacts.map((name) => {
          const artifact = selectArtifacts(def, [name])[0]!;
          return [name, [...artifact.checks.required, ...artifact.checks.ciTestcases.map((t) => `ci:${t}`)]];
        }),
      );
      return { required, ciWaitSeconds: def.compose.ciWaitSeconds };
    },
  };
}
