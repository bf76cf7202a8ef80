// Publication to the mirror tree. The new `latest` is the whole release: the builds this sign-off
// approved merged into what the mirror already has (domain/mirror-manifest.ts), so an artifact that
// failed to build or was gated out keeps its published files. Crash-safe as before: stage the
// whole set in a directory of its own, verify every checksum, rename it into place, then switch
// the `latest` symlink — readers see the old complete set or the new one, never a mix. Files the
// mirror already has are hard-linked, not copied: publishing a compose in which one image changed
// costs one image's bytes. Publications of one release are serialised (a PostgreSQL advisory
// lock), so two pipelines approved at once cannot both merge into the same old `latest`.
import fs from "node:fs";
import path from "node:path";
import { Context } from "@temporalio/activity";
import { ApplicationFailure } from "@temporalio/common";
import type { Db } from "../db/database.js";
import {
  MANIFEST_FILE,
  mergeLatest,
  parseMirrorManifest,
  type MirrorManifest,
  type PublishedArtifact,
  type PublishedFile,
} from "../domain/mirror-manifest.js";
import type { ReleaseCatalog } from "../releases/catalog.js";
import { hashFile } from "./file-digest.js";

export type PublishFile = PublishedFile;

export interface PublishInput {
  pipelineId: string;
  release: string;
  composeId: string;
  /** the assembled compose's compose/ directory the files are copied from */
  composeLocation: string;
  /** the approved artifacts' files, relative to the compose/ directory */
  files: PublishFile[];
  /** the compose each approved artifact was built in (reused builds: an earlier one); default: this compose */
  builds?: { artifact: string; builtIn: string }[];
  /** the pipeline's artifacts that are not approved, and why; they keep what the mirror has */
  withheld?: { artifact: string; reason: string }[];
}

export interface PublishResult {
  location: string;
  files: number;
  alreadyPublished: boolean;
  /** every artifact now in `latest`, approved here or kept */
  artifacts: PublishedArtifact[];
  /** files hard-linked from earlier publications rather than copied */
  linked: number;
}

const LOCK_NAMESPACE = "relengotron.publish";

export function createPublishActivities(deps: { db: Db; mirrorDir: string; releases: ReleaseCatalog }) {
  return {
    async publishArtifacts(input: PublishInput): Promise<PublishResult> {
      const def = deps.releases.get(input.release);
      const releaseDir = path.join(deps.mirrorDir, input.release);
      fs.mkdirSync(releaseDir, { recursive: true });
      // Held while merging, staging and switching; a large publication may take a while.
      return deps.db.$transaction(
        async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${LOCK_NAMESPACE}), hashtext(${input.release}))`;
          const previous = readLatest(releaseDir);
          let manifest: MirrorManifest;
          let linked = 0;
          let alreadyPublished = false;
          if (previous?.composeId === input.composeId) {
            if (previous.pipelineId !== input.pipelineId) {
              throw ApplicationFailure.nonRetryable(`${path.join(releaseDir, input.composeId)} was published by ${previous.pipelineId}, not ${input.pipelineId}`);
            }
            manifest = previous;
            alreadyPublished = true;
          } else {
            const builtIn = new Map((input.builds ?? []).map((b) => [b.artifact, b.builtIn]));
            const approved = [...new Set(input.files.map((f) => f.artifact))].map((artifact) => ({
              artifact,
              builtIn: builtIn.get(artifact) ?? input.composeId,
              files: input.files.filter((f) => f.artifact === artifact),
            }));
            const merged = mergeLatest({
              composeId: input.composeId,
              pipelineId: input.pipelineId,
              releaseArtifacts: def.artifacts.map((a) => a.name),
              approved,
              withheld: input.withheld ?? [],
              previous,
            });
            manifest = merged.manifest;
            linked = await stage(releaseDir, input, manifest, previous);
          }
          switchLatest(releaseDir, input.composeId);

          const builtInOf = new Map(manifest.artifacts.map((a) => [a.artifact, a]));
          for (const file of manifest.files) {
            const a = builtInOf.get(file.artifact);
            const fields = { composeId: input.composeId, sha256: file.sha256, size: BigInt(file.size), builtIn: a?.builtIn, kept: a?.kept ?? false, keptReason: a?.reason ?? null };
            await tx.publication.upsert({
              where: { pipelineId_artifact_path: { pipelineId: input.pipelineId, artifact: file.artifact, path: file.path } },
              create: { release: input.release, pipelineId: input.pipelineId, artifact: file.artifact, path: file.path, ...fields },
              update: fields,
            });
          }
          return { location: path.join(releaseDir, input.composeId), files: manifest.files.length, alreadyPublished, artifacts: manifest.artifacts, linked };
        },
        { timeout: 60 * 60 * 1000, maxWait: 10 * 60 * 1000 },
      );
    },
  };
}

/** The manifest `latest` points at, or undefined before the first publication. */
function readLatest(releaseDir: string): MirrorManifest | undefined {
  const file = path.join(releaseDir, "latest", MANIFEST_FILE);
  if (!fs.existsSync(file)) return undefined;
  return readManifest(file);
}

/** A damaged manifest needs a human: retrying cannot mend it, and merging past it could lose files. */
function readManifest(file: string): MirrorManifest {
  try {
    return parseMirrorManifest(fs.readFileSync(file, "utf8"), file);
  } catch (error) {
    throw ApplicationFailure.nonRetryable(`${(error as Error).message}; nothing was published`);
  }
}

/**
 * Writes the whole new set into a staging directory and renames it into place. Files the previous
 * publication has (same checksum) are hard-linked from it; others are copied from the compose.
 * Every staged file is verified against its checksum, linked ones too: a file damaged on the
 * mirror is not carried forward. Returns how many files were linked.
 */
async function stage(releaseDir: string, input: PublishInput, manifest: MirrorManifest, previous: MirrorManifest | undefined): Promise<number> {
  const final = path.join(releaseDir, input.composeId);
  const staging = path.join(releaseDir, `.staging-${input.composeId}`);
  fs.rmSync(staging, { recursive: true, force: true });
  const onMirror = new Map((previous?.files ?? []).map((f) => [f.sha256, path.join(releaseDir, previous!.composeId, f.path)]));
  let linked = 0;
  try {
    for (const file of manifest.files) {
      const target = path.join(staging, file.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const existing = onMirror.get(file.sha256);
      if (existing && linkInto(existing, target)) linked++;
      else fs.copyFileSync(path.join(input.composeLocation, file.path), target);
      const digest = await hashFile(target);
      if (digest !== file.sha256) {
        throw ApplicationFailure.nonRetryable(`${file.path}: sha256 ${digest} differs from the built ${file.sha256}; nothing was published`);
      }
      Context.current().heartbeat(file.path);
    }
    for (const meta of ["composeinfo.json", "images.json", "rpms.json"]) {
      const source = path.join(input.composeLocation, "metadata", meta);
      if (fs.existsSync(source)) {
        fs.mkdirSync(path.join(staging, "metadata"), { recursive: true });
        fs.copyFileSync(source, path.join(staging, "metadata", meta));
      }
    }
    fs.writeFileSync(path.join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + "\n");
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  if (fs.existsSync(final)) {
    // An earlier attempt renamed its staging into place but crashed before switching `latest`:
    // nobody was pointed at it. It is replaced by this attempt's set, merged with today's `latest`.
    const existing = fs.existsSync(path.join(final, MANIFEST_FILE)) ? readManifest(path.join(final, MANIFEST_FILE)) : undefined;
    if (existing && existing.pipelineId !== input.pipelineId) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw ApplicationFailure.nonRetryable(`${final} was published by ${existing.pipelineId}, not ${input.pipelineId}`);
    }
    const aside = path.join(releaseDir, `.abandoned-${input.composeId}-${process.pid}-${Date.now()}`);
    fs.renameSync(final, aside);
    fs.renameSync(staging, final);
    fs.rmSync(aside, { recursive: true, force: true });
  } else {
    fs.renameSync(staging, final);
  }
  return linked;
}

/** A hard link within the mirror; false where the file is gone or the filesystem cannot link it. */
function linkInto(existing: string, target: string): boolean {
  try {
    fs.linkSync(existing, target);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "EXDEV" || code === "EPERM" || code === "EMLINK") return false;
    throw error;
  }
}

/** The switch: readers of <release>/latest see the old compose or the new one, never a mix. */
function switchLatest(releaseDir: string, composeId: string): void {
  const link = path.join(releaseDir, "latest");
  const temp = path.join(releaseDir, `.latest-${process.pid}-${Date.now()}`);
  fs.symlinkSync(composeId, temp);
  fs.renameSync(temp, link);
}
