// The sandbox's stand-in for Pungi's own phases (buildinstall, createiso): artifacts of kind
// "compose" (boot.iso, DVD, repositories) made from the snapshot's packages. Like the sandbox
// Koji's images, a file is a header naming its components padded to 1/1024 of their summed size,
// so sizes move when packages do while files stay small.
import fs from "node:fs";
import path from "node:path";
import type { ComposeStepBuilder } from "../activities/artifact-build.js";
import type { ArtifactDefinition } from "../domain/artifact-definitions.js";
import type { Snapshot } from "../activities/snapshot.js";

/** The snapshot's binary RPMs an artifact of kind "compose" contains on one arch. */
export function composeStepComponents(artifact: ArtifactDefinition, snapshot: Snapshot, arch: string) {
  const names = artifact.build.kind === "compose" && artifact.build.packages ? new Set(artifact.build.packages) : undefined;
  return snapshot.rpms.filter((r) => (r.arch === arch || r.arch === "noarch") && (!names || names.has(r.name)));
}

export const sandboxComposeStep: ComposeStepBuilder = {
  async build({ def, artifact, snapshot, composeId, outDir }) {
    const outputs: { arch: string; fileName: string }[] = [];
    const components = new Set<string>();
    const release = composeId.startsWith(`${def.release.name}-`) ? composeId.slice(def.release.name.length + 1) : composeId;
    for (const arch of artifact.arches) {
      const rpms = composeStepComponents(artifact, snapshot, arch);
      if (artifact.build.kind === "compose" && artifact.build.packages) {
        const missing = artifact.build.packages.filter((name) => !rpms.some((r) => r.name === name));
        if (missing.length) throw new Error(`${artifact.name} (${arch}): no package ${missing.join(", ")} in ${snapshot.tag} at event ${snapshot.kojiEvent}`);
      }
      for (const r of rpms) components.add(r.nevra);
      const fileName = `${def.release.short}-${artifact.name}-${arch}-${def.release.version}-${release}.${artifact.format}`;
      const header = Buffer.from(`relengotron sandbox ${artifact.type} ${artifact.name} ${arch}\n${rpms.map((r) => r.nevra).join("\n")}\n`);
      const size = Math.max(header.length, Math.round(rpms.reduce((sum, r) => sum + r.size, 0) / 1024));
      const bytes = Buffer.alloc(size);
      header.copy(bytes);
      fs.mkdirSync(path.join(outDir, arch), { recursive: true });
      fs.writeFileSync(path.join(outDir, arch, fileName), bytes);
      outputs.push({ arch, fileName });
    }
    return { outputs, components: [...components] };
  },
};
