// The internal shape every version of every productmd file is normalised to. Readers produce it,
// writers take it; field names follow productmd's attribute names, camel-cased.
import { z } from "zod";
import {
  COMPOSE_STATUSES,
  COMPOSE_TYPES,
  RELEASE_TYPES,
  RPM_CATEGORIES,
  SUPPORTED_IMAGE_FORMATS,
  SUPPORTED_IMAGE_TYPES,
  VARIANT_PATH_CATEGORIES,
  VARIANT_TYPES,
} from "./constants.js";

export const HEADER_VERSION_RE = /^\d+\.\d+$/;
/** productmd's RELEASE_VERSION_RE: either not starting with a digit, or dotted integers. */
export const RELEASE_VERSION_RE = /^(?:[^0-9].*|[0-9]+(?:\.[0-9]+)*)$/;
export const COMPOSE_DATE_RE = /^\d{8}$/;
/** productmd's Compose._validate_id pattern, which re.match anchors at the start only. */
export const COMPOSE_ID_RE = /^.*\d{8}/;
export const VARIANT_ID_RE = /^[a-zA-Z0-9]+$/;

export const ComposeTypeSchema = z.enum(COMPOSE_TYPES);
export type ComposeType = z.infer<typeof ComposeTypeSchema>;

/** `compose` section, shared by composeinfo.json, rpms.json and images.json. */
export const ComposeSectionSchema = z.object({
  id: z.string().min(1).regex(COMPOSE_ID_RE),
  date: z.string().regex(COMPOSE_DATE_RE),
  respin: z.number().int().nonnegative(),
  type: ComposeTypeSchema,
  /** Milestone label such as "Beta-1.2"; null for composes without one (all Rawhide nightlies). */
  label: z.string().nullable(),
  final: z.boolean(),
});
export type ComposeSection = z.infer<typeof ComposeSectionSchema>;

export const ReleaseSchema = z.object({
  name: z.string(),
  version: z.string().regex(RELEASE_VERSION_RE),
  short: z.string(),
  type: z.enum(RELEASE_TYPES),
  isLayered: z.boolean(),
  internal: z.boolean(),
});
export type Release = z.infer<typeof ReleaseSchema>;

export const BaseProductSchema = z.object({
  name: z.string(),
  version: z.string().regex(RELEASE_VERSION_RE),
  short: z.string(),
  type: z.enum(RELEASE_TYPES),
});
export type BaseProduct = z.infer<typeof BaseProductSchema>;

export const VariantPathCategorySchema = z.enum(VARIANT_PATH_CATEGORIES);
export type VariantPathCategory = z.infer<typeof VariantPathCategorySchema>;

/** category → arch → path relative to the compose dir; only categories with at least one path. */
export const VariantPathsSchema = z.partialRecord(VariantPathCategorySchema, z.record(z.string(), z.string().min(1)));
export type VariantPaths = z.infer<typeof VariantPathsSchema>;

export const VariantSchema = z.object({
  uid: z.string().min(1),
  id: z.string().regex(VARIANT_ID_RE),
  name: z.string().min(1),
  type: z.enum(VARIANT_TYPES),
  /** Sorted. */
  arches: z.array(z.string().min(1)).min(1),
  /** uid of the parent variant (addons, optional, layered products); null at top level. */
  parent: z.string().nullable(),
  paths: VariantPathsSchema,
  /** Only for `layered-product` variants. */
  release: ReleaseSchema.nullable(),
});
export type Variant = z.infer<typeof VariantSchema>;

export const ComposeInfoSchema = z.object({
  /** Header version as found in the file (productmd forgets it on load: it re-labels to 1.2). */
  headerVersion: z.string().regex(HEADER_VERSION_RE),
  compose: ComposeSectionSchema,
  release: ReleaseSchema,
  /** Present exactly when release.isLayered. */
  baseProduct: BaseProductSchema.nullable(),
  /** Flat, sorted by uid; nesting is expressed by `parent`. */
  variants: z.array(VariantSchema),
});
export type ComposeInfo = z.infer<typeof ComposeInfoSchema>;

export const RpmCategorySchema = z.enum(RPM_CATEGORIES);
export type RpmCategory = z.infer<typeof RpmCategorySchema>;

/** One rpms.json entry: payload.rpms[variant][arch][srpmNevra][nevra]. */
export const RpmEntrySchema = z.object({
  variant: z.string().min(1),
  /** The compose (tree) arch, never src: source RPMs are listed under every binary arch. */
  arch: z.string().min(1),
  srpmNevra: z.string().min(1),
  nevra: z.string().min(1),
  /** Relative to the compose dir. */
  path: z.string().min(1),
  /** Lower-case key id (8 hex digits in Fedora); null for unsigned RPMs. */
  sigkey: z.string().nullable(),
  category: RpmCategorySchema,
});
export type RpmEntry = z.infer<typeof RpmEntrySchema>;

export const RpmsSummarySchema = z.object({
  headerVersion: z.string(),
  compose: ComposeSectionSchema,
  count: z.number().int().nonnegative(),
});
export type RpmsSummary = z.infer<typeof RpmsSummarySchema>;

export const ImageTypeSchema = z.enum(SUPPORTED_IMAGE_TYPES);
export const ImageFormatSchema = z.enum(SUPPORTED_IMAGE_FORMATS);

/** One image: payload.images[variant][arch][i]. */
export const ImageEntrySchema = z.object({
  variant: z.string().min(1),
  /** The compose arch it is listed under (source images appear under every binary arch). */
  arch: z.string().min(1),
  /** The image's own `arch` field: e.g. "src" for a source DVD listed under x86_64. */
  imageArch: z.string().min(1),
  path: z.string().min(1),
  mtime: z.number().int(),
  size: z.number().int().positive(),
  volumeId: z.string().min(1).nullable(),
  type: ImageTypeSchema,
  format: ImageFormatSchema,
  discNumber: z.number().int(),
  discCount: z.number().int(),
  /** algorithm → hex digest; never empty. */
  checksums: z.record(z.string(), z.string()).refine((c) => Object.keys(c).length > 0, "must not be empty"),
  implantMd5: z.string().regex(/^[a-z0-9]{32}$/).nullable(),
  bootable: z.boolean(),
  /** e.g. "Workstation", "KDE"; "" in 1.0 files, which predate the field. */
  subvariant: z.string(),
  unified: z.boolean(),
  additionalVariants: z.array(z.string()),
});
export type ImageEntry = z.infer<typeof ImageEntrySchema>;

export const ImagesSchema = z.object({
  headerVersion: z.string().regex(HEADER_VERSION_RE),
  compose: ComposeSectionSchema,
  /** Sorted by variant, arch, path. */
  images: z.array(ImageEntrySchema),
});
export type Images = z.infer<typeof ImagesSchema>;

export const ComposeStatusSchema = z.enum(COMPOSE_STATUSES);
export type ComposeStatus = z.infer<typeof ComposeStatusSchema>;

export interface ComposeStatusInfo {
  status: ComposeStatus;
  /** When the status was last written (file mtime; Last-Modified over HTTP, null if the server omits it). */
  mtime: Date | null;
}
