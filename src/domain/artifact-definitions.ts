// What a release is made of: its compose variants and the artifacts built for it, with everything
// that goes into each artifact (config sources, tool versions). Read from config/artifacts/*.yaml.
import { z } from "zod";

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "expected letters, digits and . _ + -");
const arch = z.enum(["x86_64", "aarch64", "ppc64le", "s390x", "i686", "armhfp", "noarch", "src"]);

export const configSourceSchema = z.object({
  kind: z.enum(["kickstart", "kiwi", "pungi", "comps", "other"]),
  repo: z.string().min(1),
  /** a commit id; a branch name works but weakens the fingerprint (see README) */
  ref: z.string().min(1),
  path: z.string().min(1),
});

const checksSchema = z
  .object({
    /** fail when the image grows more than this against the previous build of the artifact */
    maxGrowthPercent: z.number().positive().default(10),
    /** results external CI must report (ResultsDB testcase names) */
    ciTestcases: z.array(z.string().min(1)).default([]),
    /** checks that must pass before the artifact may be published */
    required: z.array(z.string().min(1)).default(["size-budget", "installability"]),
  })
  .prefault({});

const kojiBuildSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("image-build"),
    /** buildImageOz `opts`: disk size, format list, kickstart … */
    formats: z.array(z.string()).min(1),
    kickstart: z.string().min(1),
    distro: z.string().default("Fedora-22"),
    diskSize: z.number().int().positive().default(5),
  }),
  z.object({ kind: z.literal("kiwi"), descPath: z.string().min(1), profile: z.string().optional(), type: z.string().optional() }),
  z.object({ kind: z.literal("livemedia"), kickstart: z.string().min(1), installTree: z.string().optional() }),
  /** made by the compose step itself (repos, boot.iso, DVD): no Koji task */
  z.object({
    kind: z.literal("compose"),
    /** the packages it is made of (boot.iso: anaconda and friends); absent: every package (a repo) */
    packages: z.array(z.string().min(1)).min(1).optional(),
  }),
]);

export const artifactSchema = z.object({
  name,
  variant: name,
  subvariant: z.string().min(1),
  /** productmd image type (live, qcow2, boot, dvd, container …) and format (iso, qcow2, raw.xz, tar.xz …) */
  type: z.string().min(1),
  format: z.string().min(1),
  arches: z.array(arch).min(1),
  build: kojiBuildSchema,
  config: z.array(configSourceSchema).default([]),
  tools: z.record(z.string(), z.string()).default({}),
  checks: checksSchema,
});

export const releaseDefinitionSchema = z
  .object({
    release: z.object({
      name: name,
      short: z.string().min(1),
      version: z.string().min(1),
      type: z.string().default("ga"),
    }),
    koji: z.object({
      /** the tag whose content a compose is made from */
      tag: z.string().min(1),
      /** the build target image tasks are submitted to */
      target: z.string().min(1),
    }),
    compose: z.object({
      type: z.enum(["production", "nightly", "test", "ci"]).default("nightly"),
      requiredVariants: z.array(name).default([]),
      /** how long the check stage waits for external CI to report required results */
      ciWaitSeconds: z.number().int().min(0).default(0),
      variants: z
        .array(z.object({ uid: name, name: z.string().min(1), type: z.string().default("variant"), arches: z.array(arch).min(1) }))
        .min(1),
      config: z.array(configSourceSchema).default([]),
    }),
    artifacts: z.array(artifactSchema),
  })
  .superRefine((def, ctx) => {
    const variants = new Map(def.compose.variants.map((v) => [v.uid, v]));
    const seen = new Set<string>();
    def.artifacts.forEach((artifact, i) => {
      if (seen.has(artifact.name)) ctx.addIssue({ code: "custom", path: ["artifacts", i, "name"], message: `duplicate artifact name ${artifact.name}` });
      seen.add(artifact.name);
      const variant = variants.get(artifact.variant);
      if (!variant) {
        ctx.addIssue({ code: "custom", path: ["artifacts", i, "variant"], message: `no compose variant ${artifact.variant}` });
        return;
      }
      artifact.arches.forEach((a, j) => {
        if (!variant.arches.includes(a)) {
          ctx.addIssue({ code: "custom", path: ["artifacts", i, "arches", j], message: `variant ${variant.uid} has no arch ${a}` });
        }
      });
    });
    def.compose.requiredVariants.forEach((uid, i) => {
      if (!variants.has(uid)) ctx.addIssue({ code: "custom", path: ["compose", "requiredVariants", i], message: `no compose variant ${uid}` });
    });
  });

export type ConfigSource = z.infer<typeof configSourceSchema>;
export type ArtifactDefinition = z.infer<typeof artifactSchema>;
export type ReleaseDefinition = z.infer<typeof releaseDefinitionSchema>;
