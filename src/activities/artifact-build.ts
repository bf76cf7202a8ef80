// Building one artifact through Koji. Every step is idempotent: the ArtifactBuild row (unique per
// pipeline and artifact) is written before Koji is asked, so a retried submit finds the task it
// already created instead of creating a second one.
import fs from "node:fs";
import path from "node:path";
import { CancelledFailure, Context } from "@temporalio/activity";
import { ApplicationFailure } from "@temporalio/common";
import { KojiError, TASK_STATE_NAMES, isTaskFinished, type KojiClient } from "../clients/koji.js";
import { downloadImageArchive } from "../clients/koji-files.js";
import type { Db } from "../db/database.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { ArtifactDefinition, ReleaseDefinition } from "../domain/artifact-definitions.js";
import type { ArtifactOutput } from "../domain/pipeline.js";
import { fingerprintOf } from "../domain/plan.js";
import type { ReleaseCatalog } from "../releases/catalog.js";
import { buildInputsOf, selectArtifacts } from "./plan.js";
import { hashFile } from "./file-digest.js";
import { loadSnapshot, type Snapshot } from "./snapshot.js";

/** Produces the artifacts Pungi makes itself (repos, boot.iso, DVD) — see src/sandbox/compose-step.ts. */
export interface ComposeStepBuilder {
  build(input: { def: ReleaseDefinition; artifact: ArtifactDefinition; snapshot: Snapshot; composeId: string; outDir: string }): Promise<{
    outputs: { arch: string; fileName: string }[];
    components: string[];
  }>;
}

export interface ArtifactBuildDeps {
  db: Db;
  koji: KojiClient;
  releases: ReleaseCatalog;
  composeStep: ComposeStepBuilder;
  /** where built artifacts are staged; ArtifactOutput.path is relative to it */
  buildsDir: string;
  /** how often a running Koji task is polled */
  pollMs: number;
}

interface BuildRef {
  pipelineId: string;
  release: string;
  composeId: string;
  artifact: string;
  snapshotId: number;
}

/** The NVR Koji gives the image build: unique per pipeline, which makes its task findable. */
export function imageNvr(def: ReleaseDefinition, artifact: ArtifactDefinition, composeId: string) {
  const release = composeId.startsWith(`${def.release.name}-`) ? composeId.slice(def.release.name.length + 1) : composeId;
  return { name: `${def.release.short}-${artifact.name}`, version: def.release.version, release };
}

const METHOD_OF_KIND = { "image-build": "image", kiwi: "kiwiBuild", livemedia: "livemedia" } as const;

export function createArtifactBuildActivities(deps: ArtifactBuildDeps) {
  const { db, koji } = deps;
  const definition = (release: string, name: string) => {
    const def = deps.releases.get(release);
    return { def, artifact: selectArtifacts(def, [name])[0]! };
  };
  const stageDir = (ref: BuildRef) => path.join(deps.buildsDir, ref.release, ref.composeId, ref.artifact);

  async function submitToKoji(def: ReleaseDefinition, artifact: ArtifactDefinition, composeId: string): Promise<number> {
    const nvr = imageNvr(def, artifact, composeId);
    const source = artifact.config.find((c) => c.kind === "kickstart" || c.kind === "kiwi");
    const url = source ? `git+${source.repo}#${source.ref}` : undefined;
    const build = artifact.build;
    switch (build.kind) {
      case "image-build":
        return koji.buildImageOz(nvr.name, nvr.version, artifact.arches, def.koji.target, "", {
          ksurl: url,
          kickstart: build.kickstart,
          format: build.formats,
          release: nvr.release,
          distro: build.distro,
          disk_size: String(build.diskSize),
        });
      case "kiwi":
        return koji.kiwiBuild(def.koji.target, artifact.arches, url ?? "", build.descPath, {
          profile: build.profile,
          type: build.type,
          release: nvr.release,
        });
      case "livemedia":
        return koji.buildImage(nvr.name, nvr.version, artifact.arches, def.koji.target, build.kickstart, "livemedia", {
          ksurl: url,
          release: nvr.release,
          install_tree_url: build.installTree,
        });
      case "compose":
        throw new Error(`artifact ${artifact.name} is made by the compose step, not by Koji`);
    }
  }

  /** A task this pipeline already submitted for the artifact, if a crash lost its id. */
  async function findSubmittedTask(def: ReleaseDefinition, artifact: ArtifactDefinition, composeId: string, since: Date) {
    if (artifact.build.kind === "compose") return undefined;
    const nvr = imageNvr(def, artifact, composeId);
    // The release is unique per pipeline; the image name (kiwi: the profile) tells artifacts apart.
    const marker = artifact.build.kind === "kiwi" ? (artifact.build.profile ?? artifact.build.descPath) : nvr.name;
    const tasks = await koji.listTasks({ method: METHOD_OF_KIND[artifact.build.kind], createdAfter: since.getTime() / 1000 - 60, parent: null });
    return tasks.find((t) => {
      const request = JSON.stringify(t.request ?? []);
      return request.includes(JSON.stringify(nvr.release)) && request.includes(JSON.stringify(marker));
    })?.id;
  }

  return {
    async submitArtifactBuild(ref: BuildRef): Promise<{ kojiTaskId: number | null }> {
      const { def, artifact } = definition(ref.release, ref.artifact);
      const key = { pipelineId_artifact: { pipelineId: ref.pipelineId, artifact: ref.artifact } };
      const row = await db.artifactBuild.upsert({
        where: key,
        create: {
          pipelineId: ref.pipelineId,
          composeId: ref.composeId,
          release: ref.release,
          artifact: ref.artifact,
          snapshotId: ref.snapshotId,
          inputs: buildInputsOf(artifact) as Prisma.InputJsonObject,
          state: "SUBMITTED",
        },
        update: {},
      });
      if (row.kojiTaskId !== null || artifact.build.kind === "compose") return { kojiTaskId: row.kojiTaskId };
      const found = await findSubmittedTask(def, artifact, ref.composeId, row.createdAt);
      const kojiTaskId = found ?? (await submitToKoji(def, artifact, ref.composeId));
      await db.artifactBuild.update({ where: key, data: { kojiTaskId } });
      return { kojiTaskId };
    },

    /** Polls the task, heartbeating; a cancelled pipeline cancels the Koji task too. */
    async waitForKojiTask(ref: BuildRef & { kojiTaskId: number }): Promise<{ state: string; error?: string }> {
      const ctx = Context.current();
      try {
        for (;;) {
          const info = await koji.getTaskInfo(ref.kojiTaskId, { strict: true });
          if (!info) throw new Error(`Koji task ${ref.kojiTaskId} does not exist`);
          const state = TASK_STATE_NAMES[info.state] ?? String(info.state);
          ctx.heartbeat({ state });
          if (isTaskFinished(info.state)) {
            if (state === "CLOSED") return { state };
            return { state, error: await taskError(koji, ref.kojiTaskId) };
          }
          await ctx.sleep(deps.pollMs);
        }
      } catch (error) {
        // The pipeline was cancelled (or is gone): its Koji task goes too. A worker shutting down
        // or a timed-out attempt leaves the task running for the next attempt to pick up.
        if (error instanceof CancelledFailure && (error.message === "CANCELLED" || error.message === "NOT_FOUND")) {
          await koji.cancelTask(ref.kojiTaskId).catch(() => {});
        }
        throw error;
      }
    },

    async collectArtifactOutputs(ref: BuildRef & { kojiTaskId: number | null }): Promise<{ outputs: ArtifactOutput[]; fingerprint: string }> {
      const { def, artifact } = definition(ref.release, ref.artifact);
      const key = { pipelineId_artifact: { pipelineId: ref.pipelineId, artifact: ref.artifact } };
      const existing = await db.artifactBuild.findUnique({ where: key });
      if (existing?.state === "SUCCEEDED" && existing.fingerprint) {
        return { outputs: existing.outputs as unknown as ArtifactOutput[], fingerprint: existing.fingerprint };
      }
      const dir = stageDir(ref);
      fs.rmSync(dir, { recursive: true, force: true });
      let files: { arch: string; fileName: string }[];
      let components: string[];
      if (ref.kojiTaskId === null) {
        const snapshot = await loadSnapshot(db, ref.snapshotId);
        ({ outputs: files, components } = await deps.composeStep.build({ def, artifact, snapshot, composeId: ref.composeId, outDir: dir }));
      } else {
        ({ files, components } = await downloadImageBuild(koji, artifact.format, ref.kojiTaskId, dir));
      }
      const outputs: ArtifactOutput[] = [];
      for (const f of files) {
        const file = path.join(dir, f.arch, f.fileName);
        outputs.push({ arch: f.arch, fileName: f.fileName, size: fs.statSync(file).size, sha256: await hashFile(file), path: path.relative(deps.buildsDir, file) });
      }
      const fingerprint = fingerprintOf({ components, config: artifact.config, tools: artifact.tools, buildOptions: artifact.build });
      await db.artifactBuild.update({
        where: key,
        data: { state: "SUCCEEDED", components: [...components].sort(), outputs: outputs as unknown as Prisma.InputJsonArray, fingerprint, finishedAt: new Date() },
      });
      return { outputs, fingerprint };
    },

    async recordArtifactBuildFailure(ref: BuildRef & { error: string; canceled?: boolean }): Promise<void> {
      await db.artifactBuild.updateMany({
        where: { pipelineId: ref.pipelineId, artifact: ref.artifact, state: { not: "SUCCEEDED" } },
        data: { state: ref.canceled ? "CANCELED" : "FAILED", error: ref.error.slice(0, 4000), finishedAt: new Date() },
      });
    },
  };
}

async function taskError(koji: KojiClient, taskId: number): Promise<string> {
  try {
    await koji.getTaskResult(taskId);
    return `Koji task ${taskId} did not complete`;
  } catch (error) {
    return error instanceof KojiError ? error.faultString : (error as Error).message;
  }
}

/**
 * Downloads every image archive of the build the task imported, with the RPMs Koji recorded in
 * it. The files come from the topurl in Koji's layout (`koji download-build --type image`, and
 * Pungi, fetch the same way: PathInfo.imagebuild on the build's volume), not from the task's
 * work directory — Koji moves images out of it at import and the directory itself is pruned.
 */
async function downloadImageBuild(koji: KojiClient, format: string, taskId: number, dir: string) {
  // The image tool names the build (kiwi: image name and profile), so ask Koji which it imported.
  // listBuilds rows carry build_id, not id (kojihub.py listBuilds).
  const build = (await koji.listBuilds({ taskID: taskId }))[0];
  if (!build) throw ApplicationFailure.nonRetryable(`Koji task ${taskId} closed but imported no build`);
  // An image build also archives its kickstart, package lists and other formats the tool made.
  const all = await koji.listArchives({ buildID: build.build_id, type: "image" });
  const archives = all.filter((a) => a.filename.endsWith(`.${format}`));
  if (archives.length === 0) {
    throw ApplicationFailure.nonRetryable(`build ${build.nvr} has no .${format} image (it has ${all.map((a) => a.filename).join(", ") || "no archives"})`);
  }
  const ctx = Context.current();
  const components = new Set<string>();
  const files: { arch: string; fileName: string }[] = [];
  for (const archive of archives) {
    // listArchives(type="image") joins image_archives: every image archive has its arch.
    if (!archive.arch) throw new Error(`image ${archive.filename} of build ${build.nvr} has no arch in Koji's archive record`);
    const target = path.join(dir, archive.arch, archive.filename);
    await downloadImageArchive(koji, build, archive, target, {
      signal: ctx.cancellationSignal,
      onProgress: (p) => ctx.heartbeat({ downloading: p.fileName, bytes: p.bytes, size: p.size }),
    });
    for (const rpm of await koji.listRPMs({ imageID: archive.id })) {
      components.add(`${rpm.name}-${rpm.epoch ?? 0}:${rpm.version}-${rpm.release}.${rpm.arch}`);
    }
    files.push({ arch: archive.arch, fileName: archive.filename });
  }
  return { files, components: [...components] };
}
