// composeinfo.json: one schema per header version productmd 1.51 reads, normalised to ComposeInfo.
// Version boundaries are productmd's: <0.3 derives date/type/respin from the id, <=0.3 calls the
// release "product", <1.0 encodes variant nesting only in uids, >=1.1 requires header.type.
import { z } from "zod";
import { METADATA_TYPES, RELEASE_TYPES, VARIANT_PATH_CATEGORIES, VARIANT_TYPES } from "./constants.js";
import { ComposeSectionLegacySchema, ComposeSectionV1_0Schema, readComposeSection } from "./compose-section.js";
import { ProductmdError, formatJsonPath, parseWith, type JsonPath } from "./errors.js";
import { HeaderV1_0Schema, cmpVersion, headerV1_1Schema, readHeader, type Version } from "./header.js";
import {
  RELEASE_VERSION_RE,
  VARIANT_ID_RE,
  type BaseProduct,
  type ComposeInfo,
  type Release,
  type Variant,
  type VariantPaths,
} from "./model.js";

/** productmd lower-cases a release type before checking it. */
const ReleaseTypeSchema = z
  .string()
  .transform((t) => t.toLowerCase())
  .pipe(z.enum(RELEASE_TYPES));

const ReleaseV0Schema = z.object({
  name: z.string(),
  version: z.string().regex(RELEASE_VERSION_RE),
  short: z.string(),
  type: ReleaseTypeSchema.optional(),
  is_layered: z.boolean().optional(),
});

const ReleaseV1Schema = ReleaseV0Schema.extend({ internal: z.boolean().optional() });

const BaseProductRawSchema = z.object({
  name: z.string(),
  version: z.string().regex(RELEASE_VERSION_RE),
  short: z.string(),
  // unlike the release type, productmd does not lower-case this one
  type: z.enum(RELEASE_TYPES).optional(),
});

const PathMapSchema = z.record(z.string(), z.string().nullable());
/** Unknown path categories are ignored, as productmd ignores them. */
const VariantPathsRawSchema = z.object(
  Object.fromEntries(VARIANT_PATH_CATEGORIES.map((c) => [c, PathMapSchema.optional()])) as Record<
    (typeof VARIANT_PATH_CATEGORIES)[number],
    z.ZodOptional<typeof PathMapSchema>
  >,
);

const VariantRawBase = {
  id: z.string().regex(VARIANT_ID_RE),
  uid: z.string(),
  name: z.string().min(1),
  type: z.enum(VARIANT_TYPES),
  arches: z.array(z.string()).min(1),
  paths: VariantPathsRawSchema,
  variants: z.array(z.string()).optional(),
};
const VariantRawV0Schema = z.object({ ...VariantRawBase, product: ReleaseV0Schema.optional() });
const VariantRawV1Schema = z.object({ ...VariantRawBase, release: ReleaseV1Schema.optional() });

const ComposeinfoHeaderV1_1 = headerV1_1Schema(METADATA_TYPES.composeinfo);

/** Header < 0.3 ("0.2" in productmd's legacy fixture). */
export const ComposeInfoV0_2Schema = z.object({
  header: HeaderV1_0Schema,
  payload: z.object({
    compose: ComposeSectionLegacySchema,
    product: ReleaseV0Schema,
    base_product: BaseProductRawSchema.optional(),
    variants: z.record(z.string(), VariantRawV0Schema),
  }),
});

/** Header 0.3: still "product", but compose date/type/respin stored. */
export const ComposeInfoV0_3Schema = z.object({
  header: HeaderV1_0Schema,
  payload: z.object({
    compose: ComposeSectionV1_0Schema,
    product: ReleaseV0Schema,
    base_product: BaseProductRawSchema.optional(),
    variants: z.record(z.string(), VariantRawV0Schema),
  }),
});

export const ComposeInfoV1_0Schema = z.object({
  header: HeaderV1_0Schema,
  payload: z.object({
    compose: ComposeSectionV1_0Schema,
    release: ReleaseV1Schema,
    base_product: BaseProductRawSchema.optional(),
    variants: z.record(z.string(), VariantRawV1Schema),
  }),
});

/** 1.1 added header.type; 1.2 changed nothing in composeinfo, so it shares this schema. */
export const ComposeInfoV1_1Schema = ComposeInfoV1_0Schema.extend({ header: ComposeinfoHeaderV1_1 });
export const ComposeInfoV1_2Schema = ComposeInfoV1_1Schema;

type RawRelease = z.infer<typeof ReleaseV1Schema>;
type RawVariant = z.infer<typeof VariantRawV1Schema> & { product?: z.infer<typeof ReleaseV0Schema> };

function schemaFor(version: Version) {
  if (cmpVersion(version, [0, 3]) < 0) return ComposeInfoV0_2Schema;
  if (cmpVersion(version, [0, 3]) === 0) return ComposeInfoV0_3Schema;
  if (cmpVersion(version, [1, 1]) < 0) return ComposeInfoV1_0Schema;
  return ComposeInfoV1_1Schema;
}

function release(raw: RawRelease): Release {
  return {
    name: raw.name,
    version: raw.version,
    short: raw.short,
    type: raw.type ?? "ga",
    isLayered: raw.is_layered ?? false,
    internal: raw.internal ?? false,
  };
}

function variantPaths(raw: RawVariant): VariantPaths {
  const out: VariantPaths = {};
  for (const category of VARIANT_PATH_CATEGORIES) {
    const byArch = raw.paths[category];
    if (!byArch) continue;
    for (const arch of [...raw.arches].sort()) {
      const value = byArch[arch];
      // productmd keeps only truthy paths of the variant's own arches
      if (value) (out[category] ??= {})[arch] = value;
    }
  }
  return out;
}

/** Port of productmd's Variants/Variant.deserialize + validate, producing a flat list. */
function readVariants(raws: Record<string, RawVariant>, version: Version, file: string): Variant[] {
  const legacy = cmpVersion(version, [1, 0]) < 0;
  const base: JsonPath = ["payload", "variants"];
  const keys = Object.keys(raws);
  const childUids = new Set<string>();
  for (const v of Object.values(raws)) for (const child of v.variants ?? []) childUids.add(`${v.uid}-${child}`);

  const topLevel = keys
    .filter((key) => {
      if (!legacy) return !childUids.has(key);
      if (!key.includes("-")) return true;
      return !keys.includes(key.slice(0, key.lastIndexOf("-")));
    })
    .sort();

  const out: Variant[] = [];
  const fail = (key: string, rest: JsonPath, detail: string): never => {
    throw new ProductmdError(file, formatJsonPath([...base, key, ...rest]), detail);
  };

  const visit = (key: string, parent: Variant | null, ancestors: string[]): Variant => {
    if (ancestors.includes(key)) fail(key, [], `variant nesting cycle: ${[...ancestors, key].join(" -> ")}`);
    const raw = raws[key]!;
    let variantRelease: Release | null = null;
    if (raw.type === "layered-product") {
      const rel = legacy ? raw.product : raw.release;
      if (!rel) fail(key, [legacy ? "product" : "release"], "missing (required for layered-product variants)");
      variantRelease = { ...release(rel!), isLayered: true };
    }
    const variant: Variant = {
      uid: raw.uid,
      id: raw.id,
      name: raw.name,
      type: raw.type,
      arches: [...new Set(raw.arches)].sort(),
      parent: parent?.uid ?? null,
      paths: variantPaths(raw),
      release: variantRelease,
    };
    if (parent === null) {
      if (variant.uid.replaceAll("-", "") !== variant.id) fail(key, ["uid"], `uid ${JSON.stringify(variant.uid)} does not match id ${JSON.stringify(variant.id)}`);
    } else {
      const expected = `${parent.uid}-${variant.id}`;
      if (variant.uid !== expected) fail(key, ["uid"], `uid ${JSON.stringify(variant.uid)} does not align with parent uid (expected ${JSON.stringify(expected)})`);
      for (const arch of variant.arches) {
        if (!parent.arches.includes(arch)) fail(key, ["arches"], `arch ${JSON.stringify(arch)} not in parent ${parent.uid} arches [${parent.arches.join(", ")}]`);
      }
    }
    out.push(variant);

    let childKeys: string[];
    if (raw.variants) childKeys = [...raw.variants].sort().map((id) => `${raw.uid}-${id}`);
    else if (legacy) childKeys = keys.filter((k) => k.startsWith(`${key}-`));
    else childKeys = [];
    const seenIds = new Set<string>();
    childKeys.forEach((childKey, i) => {
      if (!(childKey in raws)) fail(key, ["variants", i], `child variant ${JSON.stringify(childKey)} not found in payload.variants`);
      const child = visit(childKey, variant, [...ancestors, key]);
      if (seenIds.has(child.id)) fail(childKey, ["id"], `variant id ${JSON.stringify(child.id)} already exists under ${variant.uid}`);
      seenIds.add(child.id);
    });
    return variant;
  };

  const topIds = new Set<string>();
  for (const key of topLevel) {
    const v = visit(key, null, []);
    if (topIds.has(v.id)) fail(key, ["id"], `variant id ${JSON.stringify(v.id)} already exists`);
    topIds.add(v.id);
  }
  return out.sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
}

/** Validate and normalise a parsed composeinfo.json document. */
export function readComposeInfoJson(doc: unknown, file: string): ComposeInfo {
  const root = parseWith(z.object({ header: z.unknown(), payload: z.object({ compose: z.unknown() }) }), doc, file, []);
  const header = readHeader(root.header, METADATA_TYPES.composeinfo, file);
  const compose = readComposeSection(root.payload.compose, header.tuple, file, ["payload", "compose"]);
  const parsed = parseWith(schemaFor(header.tuple), doc, file, []) as z.infer<typeof ComposeInfoV0_3Schema> &
    z.infer<typeof ComposeInfoV1_0Schema>;
  const payload = parsed.payload as typeof parsed.payload & { product?: RawRelease; release?: RawRelease };
  const rel = release((cmpVersion(header.tuple, [0, 3]) <= 0 ? payload.product : payload.release)!);
  let baseProduct: BaseProduct | null = null;
  if (rel.isLayered) {
    const bp = payload.base_product;
    if (!bp) throw new ProductmdError(file, "payload.base_product", "missing (required when the release is layered)");
    baseProduct = { name: bp.name, version: bp.version, short: bp.short, type: bp.type ?? "ga" };
  }
  return {
    headerVersion: header.version,
    compose,
    release: rel,
    baseProduct,
    variants: readVariants(payload.variants as Record<string, RawVariant>, header.tuple, file),
  };
}
