// Publication to the mirror tree, atomically: copy into a staging directory, verify every checksum,
// rename it into place, then switch the release's `latest` symlink. Running it again for the same
// compose finds it published and only makes sure the symlink and the records are there.
import fs from "node:fs";
import path from "node:path";
import { Context } from "@temporalio/activity";
import { ApplicationFailure } from "@temporalio/common";
import type { Db } from "../db/database.js";
import { hashFile } from "./artifact-build.js";

export interface PublishFile {
  artifact: string;
  /** relative to the compose/ directory, e.g. Workstation/x86_64/iso/Fedora-….iso */
  path: string;
  sha256: string;
  size: number;
}

export interface PublishInput {
  pipelineId: string;
  release: string;
  composeId: string;
  /** the assembled compose's compose/ directory the files are copied from */
  composeLocation: string;
  files: PublishFile[];
}

const MANIFEST = "PUBLISHED.json";

export function createPublishActivities(deps: { db: Db; mirrorDir: string }) {
  return {
    async publishArtifacts(input: PublishInput): Promise<{ location: string; files: number; alreadyPublished: boolean }> {
      const releaseDir = path.join(deps.mirrorDir, input.release);
      const final = path.join(releaseDir, input.composeId);
      const manifest = { composeId: input.composeId, pipelineId: input.pipelineId, files: input.files };
      let alreadyPublished = false;

      if (fs.existsSync(path.join(final, MANIFEST))) {
        const existing = JSON.parse(fs.readFileSync(path.join(final, MANIFEST), "utf8")) as typeof manifest;
        if (existing.pipelineId !== input.pipelineId) {
          throw ApplicationFailure.nonRetryable(`${final} was published by ${existing.pipelineId}, not ${input.pipelineId}`);
        }
        alreadyPublished = true;
      } else {
        const staging = path.join(releaseDir, `.staging-${input.composeId}`);
        fs.rmSync(staging, { recursive: true, force: true });
        for (const file of input.files) {
          const source = path.join(input.composeLocation, file.path);
          const target = path.join(staging, file.path);
          fs.mkdirSync(path.dirname(target), { recursive: true });
          fs.copyFileSync(source, target);
          const digest = await hashFile(target);
          if (digest !== file.sha256) {
            fs.rmSync(staging, { recursive: true, force: true });
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
        fs.writeFileSync(path.join(staging, MANIFEST), JSON.stringify(manifest, null, 2) + "\n");
        fs.renameSync(staging, final);
      }

      // The switch: readers of <release>/latest see the old compose or the new one, never a mix.
      const link = path.join(releaseDir, "latest");
      const temp = path.join(releaseDir, `.latest-${process.pid}-${Date.now()}`);
      fs.symlinkSync(input.composeId, temp);
      fs.renameSync(temp, link);

      for (const file of input.files) {
        await deps.db.publication.upsert({
          where: { pipelineId_artifact_path: { pipelineId: input.pipelineId, artifact: file.artifact, path: file.path } },
          create: { pipelineId: input.pipelineId, composeId: input.composeId, artifact: file.artifact, path: file.path, sha256: file.sha256, size: BigInt(file.size) },
          update: {},
        });
      }
      return { location: final, files: input.files.length, alreadyPublished };
    },
  };
}
