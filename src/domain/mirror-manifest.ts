// What a release's `latest` on the mirror holds: for every artifact of the release, the newest
// build that passed its gate and was approved. A publication merges the builds a sign-off approved
// into what the mirror already has; an artifact this pipeline did not publish (it failed to build,
// was gated out, or a newer build of it is already out) keeps its files. Pure: the publish
// activity reads and writes the manifests.
import { z } from "zod";
import { parseComposeId } from "./compose-id.js";

export const MANIFEST_FILE = "PUBLISHED.json";

export const publishedFileSchema = z.object({
  artifact: z.string().min(1),
  /** relative to the published compose directory, as images.json has it */
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});
export type PublishedFile = z.infer<typeof publishedFileSchema>;

export const publishedArtifactSchema = z.object({
  artifact: z.string().min(1),
  /** the compose whose pipeline built it */
  builtIn: z.string().min(1),
  /** the publication that approved it */
  approvedIn: z.string().min(1),
  /** carried over from an earlier publication rather than approved by this one */
  kept: z.boolean(),
  /** why this publication did not replace it, for kept artifacts */
  reason: z.string().optional(),
});
export type PublishedArtifact = z.infer<typeof publishedArtifactSchema>;

/**
 * PUBLISHED.json. Manifests written before whole-release publication carry only composeId,
 * pipelineId and files: every file was built for and approved in that compose.
 */
export const mirrorManifestSchema = z
  .object({
    composeId: z.string().min(1),
    pipelineId: z.string().min(1),
    /** the compose `latest` pointed at when this one was staged */
    previous: z.string().nullable().optional(),
    files: z.array(publishedFileSchema),
    artifacts: z.array(publishedArtifactSchema).optional(),
  })
  .transform((m) => ({
    ...m,
    previous: m.previous ?? null,
    artifacts:
      m.artifacts ??
      [...new Set(m.files.map((f) => f.artifact))].map((artifact): PublishedArtifact => ({ artifact, builtIn: m.composeId, approvedIn: m.composeId, kept: false })),
  }));
export type MirrorManifest = z.output<typeof mirrorManifestSchema>;

export function parseMirrorManifest(text: string, where: string): MirrorManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${where}: not JSON (${(error as Error).message})`);
  }
  const parsed = mirrorManifestSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`${where}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ")}`);
  }
  return parsed.data;
}

/** An approved build of one artifact, as this publication offers it. */
export interface ApprovedBuild {
  artifact: string;
  builtIn: string;
  files: PublishedFile[];
}

export interface MergeInput {
  composeId: string;
  pipelineId: string;
  /** every artifact of the release, in the release definition's order */
  releaseArtifacts: readonly string[];
  approved: readonly ApprovedBuild[];
  /** artifacts of this pipeline that are not approved, and why */
  withheld: readonly { artifact: string; reason: string }[];
  previous: MirrorManifest | undefined;
}

/** Later compose first: by date, then respin. */
function newer(a: string, b: string): boolean {
  const x = parseComposeId(a);
  const y = parseComposeId(b);
  return x.date !== y.date ? x.date > y.date : x.respin > y.respin;
}

/** The manifest of the new `latest`: every artifact of the release that has an approved build. */
export function mergeLatest(input: MergeInput): { manifest: MirrorManifest; dropped: string[] } {
  const approved = new Map(input.approved.map((b) => [b.artifact, b]));
  const previous = new Map((input.previous?.artifacts ?? []).map((a) => [a.artifact, a]));
  const previousFiles = (artifact: string) => (input.previous?.files ?? []).filter((f) => f.artifact === artifact);
  const withheld = new Map(input.withheld.map((w) => [w.artifact, w.reason]));
  const artifacts: PublishedArtifact[] = [];
  const files: PublishedFile[] = [];
  const keep = (artifact: string, reason: string) => {
    const before = previous.get(artifact)!;
    artifacts.push({ artifact, builtIn: before.builtIn, approvedIn: before.approvedIn, kept: true, reason });
    files.push(...previousFiles(artifact));
  };
  for (const artifact of input.releaseArtifacts) {
    const build = approved.get(artifact);
    const before = previous.get(artifact);
    if (build) {
      // Two pipelines in flight may be approved in either order: an older build never replaces a newer one.
      if (before && newer(before.builtIn, build.builtIn)) keep(artifact, `a newer build (built in ${before.builtIn}) is already published`);
      else {
        artifacts.push({ artifact, builtIn: build.builtIn, approvedIn: input.composeId, kept: false });
        files.push(...build.files);
      }
    } else if (before) {
      keep(artifact, withheld.get(artifact) ?? "not published by this pipeline");
    }
  }
  const dropped = [...previous.keys()].filter((a) => !input.releaseArtifacts.includes(a));
  return {
    manifest: { composeId: input.composeId, pipelineId: input.pipelineId, previous: input.previous?.composeId ?? null, files, artifacts },
    dropped,
  };
}
