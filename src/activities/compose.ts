// Assembling the compose: a productmd tree covering the rebuilt and the reused artifacts plus the
// snapshot's packages, then ingested into composedb. Assembling twice finds the tree written and
// the compose ingested, and writes nothing again.
import fs from "node:fs";
import path from "node:path";
import { Context } from "@temporalio/activity";
import { ApplicationFailure } from "@temporalio/common";
import { ingestCompose } from "../composedb/ingest.js";
import type { Db } from "../db/database.js";
import { parseComposeId } from "../domain/compose-id.js";
import { parseNevra } from "../domain/nevra.js";
import type { ArtifactOutput } from "../domain/pipeline.js";
import type { ImageFormat, ImageType } from "../productmd/constants.js";
import { writeComposeTree, type ComposeTreeImage, type ComposeTreeRpm } from "../productmd/compose-tree.js";
import type { ReleaseCatalog } from "../releases/catalog.js";
import { selectArtifacts } from "./plan.js";
import { loadSnapshot, type Snapshot } from "./snapshot.js";

export interface ComposeImageRef {
  artifact: string;
  arch: string;
  /** relative to the compose/ directory, as images.json has it */
  path: string;
  sha256: string;
  size: number;
}

export interface AssembleInput {
  pipelineId: string;
  release: string;
  composeId: string;
  snapshotId: number;
  /** artifacts that exist for this compose; `reuse` names the pipeline whose build is reused */
  artifacts: { artifact: string; reuse?: { pipelineId: string; composeId: string } }[];
  /** some planned artifacts failed to build: the compose is FINISHED_INCOMPLETE */
  incomplete: boolean;
}

/** Source RPM NEVRAs by Koji build id. */
function sourceRpms(snapshot: Snapshot): Map<number, string> {
  return new Map(snapshot.builds.map((b) => [b.buildId, `${b.name}-${b.epoch}:${b.version}-${b.release}.src`]));
}

export function createComposeActivities(deps: { db: Db; releases: ReleaseCatalog; composeRoot: string; buildsDir: string }) {
  return {
    async assembleCompose(input: AssembleInput): Promise<{ location: string; images: ComposeImageRef[] }> {
      const def = deps.releases.get(input.release);
      const snapshot = await loadSnapshot(deps.db, input.snapshotId);
      const topDir = path.join(deps.composeRoot, input.composeId);
      const builds = await Promise.all(
        input.artifacts.map(async ({ artifact, reuse }) => {
          const row = await deps.db.artifactBuild.findUnique({
            where: { pipelineId_artifact: { pipelineId: reuse?.pipelineId ?? input.pipelineId, artifact } },
          });
          if (row?.state !== "SUCCEEDED") {
            throw ApplicationFailure.nonRetryable(`no successful build of ${artifact} in ${reuse?.pipelineId ?? input.pipelineId}`);
          }
          return { def: selectArtifacts(def, [artifact])[0]!, outputs: row.outputs as unknown as ArtifactOutput[], components: row.components };
        }),
      );

      const images: ComposeTreeImage[] = builds.flatMap((b) =>
        b.outputs.map((o) => ({
          variant: b.def.variant,
          arch: o.arch,
          fileName: o.fileName,
          type: b.def.type as ImageType,
          format: b.def.format as ImageFormat,
          subvariant: b.def.subvariant,
          sourceFile: path.join(deps.buildsDir, o.path),
          checksums: { sha256: o.sha256 },
        })),
      );

      if (!fs.existsSync(path.join(topDir, "compose", "metadata", "composeinfo.json"))) {
        const srpms = sourceRpms(snapshot);
        const rpms: ComposeTreeRpm[] = [];
        for (const variant of def.compose.variants) {
          // Everything carries the whole tag; other variants what their artifacts contain.
          const wanted =
            variant.uid === "Everything"
              ? undefined
              : new Set(builds.filter((b) => b.def.variant === variant.uid).flatMap((b) => b.components.map((n) => parseNevra(n).name)));
          for (const arch of variant.arches) {
            const seenSources = new Set<string>();
            for (const rpm of snapshot.rpms) {
              if (rpm.arch !== arch && rpm.arch !== "noarch") continue;
              if (wanted && !wanted.has(rpm.name)) continue;
              const srpm = srpms.get(rpm.buildId);
              if (!srpm) continue;
              rpms.push({ variant: variant.uid, arch, nevra: rpm.nevra, srpmNevra: srpm, category: "binary", sigkey: null });
              if (!seenSources.has(srpm)) {
                seenSources.add(srpm);
                rpms.push({ variant: variant.uid, arch, nevra: srpm, category: "source", sigkey: null });
              }
            }
          }
        }
        const parsed = parseComposeId(input.composeId);
        await writeComposeTree(topDir, {
          composeinfo: {
            compose: { id: input.composeId, date: parsed.date, respin: parsed.respin, type: parsed.type, label: null, final: false },
            release: { name: def.release.short, version: def.release.version, short: def.release.short, type: "ga", isLayered: false, internal: false },
            baseProduct: null,
            variants: def.compose.variants.map((v) => ({
              uid: v.uid,
              id: v.uid,
              name: v.name,
              type: v.type as "variant",
              arches: [...v.arches].sort(),
              parent: null,
              release: null,
            })),
          },
          status: input.incomplete ? "FINISHED_INCOMPLETE" : "FINISHED",
          rpms,
          images,
          placement: "copy",
        });
      }
      await ingestCompose(deps.db, topDir, { onProgress: (entries) => Context.current().heartbeat({ ingested: entries }) });
      // For releases relengotron composes, the definition says which variants a nightly needs.
      await deps.db.release.update({ where: { name: input.release }, data: { requiredVariants: def.compose.requiredVariants } });
      await recordRpmSizes(deps.db, snapshot);

      const written = await deps.db.image.findMany({ where: { compose: { composeId: input.composeId } } });
      return {
        // image paths in productmd metadata are relative to the compose/ directory
        location: path.join(topDir, "compose"),
        images: written.map((w) => {
          const fileName = path.posix.basename(w.path);
          const build = builds.find((b) => b.outputs.some((o) => o.fileName === fileName && o.arch === w.imageArch));
          if (!build) throw new Error(`image ${w.path} of ${input.composeId} belongs to no artifact`);
          return {
            artifact: build.def.name,
            arch: w.imageArch,
            path: w.path,
            sha256: (w.checksums as Record<string, string>).sha256 ?? "",
            size: Number(w.size),
          };
        }),
      };
    },
  };
}

/** composedb learns RPM sizes from Koji: productmd metadata does not carry them. */
async function recordRpmSizes(db: Db, snapshot: Snapshot): Promise<void> {
  const nevras = snapshot.rpms.map((r) => r.nevra);
  const sizes = snapshot.rpms.map((r) => r.size);
  await db.$executeRaw`
    UPDATE "Rpm" r SET size = s.size
    FROM unnest(${nevras}::text[], ${sizes}::bigint[]) AS s(nevra, size)
    WHERE r.nevra = s.nevra AND r.size IS DISTINCT FROM s.size`;
}
