// images.json: one schema per header version productmd 1.51 reads, normalised to Images.
// 1.0 has no subvariant (productmd defaults it to ""); up to 1.1 source images sit under a "src"
// arch key and productmd moves them under every binary arch of the variant; 1.2 lists them there.
import { z } from "zod";
import { METADATA_TYPES, RPM_ARCH_SET, SOURCE_ARCHES, SUPPORTED_IMAGE_FORMATS, SUPPORTED_IMAGE_TYPES } from "./constants.js";
import { ComposeSectionLegacySchema, ComposeSectionV1_0Schema, readComposeSection } from "./compose-section.js";
import { ProductmdError, formatJsonPath, parseWith } from "./errors.js";
import { HeaderV1_0Schema, cmpVersion, headerV1_1Schema, readHeader, type Version } from "./header.js";
import type { ImageEntry, Images } from "./model.js";

// Unknown image types and formats are rejected: productmd's Image.validate() refuses any value
// outside SUPPORTED_IMAGE_TYPES / SUPPORTED_IMAGE_FORMATS when it loads a file, so a compose
// with one is not loadable by productmd either. New types arrive with a productmd release.
const ImageV1_0Schema = z.object({
  path: z.string().min(1),
  mtime: z.number().int(),
  size: z.number().int().positive(),
  volume_id: z.string().min(1).nullable(),
  type: z.enum(SUPPORTED_IMAGE_TYPES),
  format: z.enum(SUPPORTED_IMAGE_FORMATS).optional(),
  arch: z.string().min(1),
  disc_number: z.number().int(),
  disc_count: z.number().int(),
  checksums: z.record(z.string(), z.string()).refine((c) => Object.keys(c).length > 0, "must not be empty"),
  implant_md5: z.string().regex(/^[a-z0-9]{32}$/).nullable(),
  bootable: z.boolean(),
  subvariant: z.string().optional(),
  unified: z.boolean().optional(),
  additional_variants: z.array(z.string()).optional(),
});
const ImageV1_1Schema = ImageV1_0Schema.extend({ subvariant: z.string() });

const imagesMap = <T extends z.ZodType>(image: T) => z.record(z.string(), z.record(z.string(), z.array(image)));

export const ImagesV1_0Schema = z.object({
  header: HeaderV1_0Schema,
  payload: z.object({ compose: z.union([ComposeSectionV1_0Schema, ComposeSectionLegacySchema]), images: imagesMap(ImageV1_0Schema) }),
});
export const ImagesV1_1Schema = z.object({
  header: headerV1_1Schema(METADATA_TYPES.images),
  payload: z.object({ compose: ComposeSectionV1_0Schema, images: imagesMap(ImageV1_1Schema) }),
});
/** 1.2: same fields as 1.1; "src" is no longer an arch key. */
export const ImagesV1_2Schema = ImagesV1_1Schema;

type RawImage = z.infer<typeof ImageV1_0Schema>;

function schemaFor(version: Version) {
  if (cmpVersion(version, [1, 0]) <= 0) return ImagesV1_0Schema;
  if (cmpVersion(version, [1, 1]) <= 0) return ImagesV1_1Schema;
  return ImagesV1_2Schema;
}

function entry(variant: string, arch: string, raw: RawImage): ImageEntry {
  return {
    variant,
    arch,
    imageArch: raw.arch,
    path: raw.path,
    mtime: raw.mtime,
    size: raw.size,
    volumeId: raw.volume_id,
    type: raw.type,
    format: raw.format ?? "iso",
    discNumber: raw.disc_number,
    discCount: raw.disc_count,
    checksums: raw.checksums,
    implantMd5: raw.implant_md5,
    bootable: raw.bootable,
    subvariant: raw.subvariant ?? "",
    unified: raw.unified ?? false,
    additionalVariants: raw.additional_variants ?? [],
  };
}

function sameChecksums(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

export function compareImages(a: ImageEntry, b: ImageEntry): number {
  return a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** Validate and normalise a parsed images.json document. */
export function readImagesJson(doc: unknown, file: string): Images {
  const root = parseWith(z.object({ header: z.unknown(), payload: z.object({ compose: z.unknown() }) }), doc, file, []);
  const header = readHeader(root.header, METADATA_TYPES.images, file);
  const compose = readComposeSection(root.payload.compose, header.tuple, file, ["payload", "compose"]);
  const parsed = parseWith(schemaFor(header.tuple), doc, file, []);
  const moveSource = cmpVersion(header.tuple, [1, 1]) <= 0;
  const checkUnique = cmpVersion(header.tuple, [1, 1]) >= 0;

  const images: ImageEntry[] = [];
  const identities = new Map<string, ImageEntry>();
  for (const [variant, byArch] of Object.entries(parsed.payload.images)) {
    for (const [arch, list] of Object.entries(byArch)) {
      const arches = moveSource && arch === "src" ? Object.keys(byArch).filter((a) => a !== "src") : [arch];
      list.forEach((raw, i) => {
        const at = ["payload", "images", variant, arch, i];
        for (const target of arches) {
          if (!RPM_ARCH_SET.has(target)) throw new ProductmdError(file, formatJsonPath(at.slice(0, 4)), `arch ${JSON.stringify(target)} is not a known RPM arch`);
          if (SOURCE_ARCHES.has(target)) {
            throw new ProductmdError(file, formatJsonPath(at.slice(0, 4)), "source arch is not allowed here: list source images under the binary arches");
          }
          const image = entry(variant, target, raw);
          if (image.additionalVariants.length > 0 && !image.unified) {
            throw new ProductmdError(file, formatJsonPath([...at, "additional_variants"]), "only unified images can contain multiple variants");
          }
          if (checkUnique) {
            // productmd's UNIQUE_IMAGE_ATTRIBUTES: what identifies "the same image" across composes
            const key = JSON.stringify([image.subvariant, image.type, image.format, image.imageArch, image.discNumber, image.unified, image.additionalVariants]);
            const other = identities.get(key);
            if (other && !sameChecksums(other.checksums, image.checksums)) {
              throw new ProductmdError(file, formatJsonPath(at), `shares subvariant/type/format/arch/disc_number with ${other.path} but has different checksums`);
            }
            if (!other) identities.set(key, image);
          }
          images.push(image);
        }
      });
    }
  }
  return { headerVersion: header.version, compose, images: images.sort(compareImages) };
}
