// Writes compose metadata as productmd 1.51 writes it: header version 1.2, sorted keys, 4-space
// indent, ensure_ascii escaping, no trailing newline (tools/productmd_tool.py validate
// --byte-identical checks exactly that). Input is validated completely before the first byte is
// written, and each file is replaced atomically (temp file + rename).
import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import type { z } from "zod";
import { CURRENT_VERSION, METADATA_TYPES, RPM_ARCH_SET, SOURCE_ARCHES, VARIANT_PATH_CATEGORIES } from "./constants.js";
import { composeSectionJson } from "./compose-section.js";
import { readComposeInfoJson, type ComposeInfoV1_2Schema } from "./composeinfo.js";
import { ProductmdError, formatJsonPath, parseWith } from "./errors.js";
import { readImagesJson, type ImagesV1_2Schema } from "./images.js";
import {
  ComposeInfoSchema,
  ImageEntrySchema,
  RpmEntrySchema,
  type ComposeInfo,
  type ComposeSection,
  type ImageEntry,
  type Release,
  type RpmEntry,
} from "./model.js";
import { checkNevra } from "./nevra.js";
import { pythonJsonChunks } from "./python-json.js";

/** ComposeInfo as the writer takes it: the header version is always the current one. */
export type ComposeInfoInput = Omit<ComposeInfo, "headerVersion"> & { headerVersion?: string };

export interface ComposeMetadataInput {
  composeinfo: ComposeInfoInput;
  /** Omit (or null) for a compose without rpms.json. Held in memory while writing (output is sorted). */
  rpms?: Iterable<RpmEntry> | AsyncIterable<RpmEntry> | null;
  /** Omit (or null) for a compose without images.json. */
  images?: readonly ImageEntry[] | null;
}

export interface WriteMetadataOptions {
  /** Write `<name>.json.gz` instead of `<name>.json`. */
  gzip?: boolean;
}

export interface WrittenMetadata {
  composeinfo: string;
  rpms: string | null;
  images: string | null;
  rpmCount: number;
  imageCount: number;
}

const INPUT = "writer input";
const ComposeInfoInputSchema = ComposeInfoSchema.partial({ headerVersion: true });

function releaseJson(r: Release, layered: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { name: r.name, version: r.version, short: r.short, type: r.type, internal: r.internal };
  if (layered) out.is_layered = true;
  return out;
}

/** The composeinfo.json document productmd would write for `ci`. */
export function composeInfoDocument(input: ComposeInfoInput): z.input<typeof ComposeInfoV1_2Schema> {
  const ci = parseWith(ComposeInfoInputSchema, input, `composeinfo (${INPUT})`, []);
  const uids = new Set(ci.variants.map((v) => v.uid));
  const variants: Record<string, unknown> = {};
  ci.variants.forEach((v, i) => {
    if (v.parent !== null && !uids.has(v.parent)) {
      throw new ProductmdError(`composeinfo (${INPUT})`, formatJsonPath(["variants", i, "parent"]), `no variant with uid ${JSON.stringify(v.parent)}`);
    }
    const arches = [...new Set(v.arches)].sort();
    const paths: Record<string, Record<string, string>> = {};
    for (const category of VARIANT_PATH_CATEGORIES) {
      for (const arch of arches) {
        const p = v.paths[category]?.[arch];
        if (p) (paths[category] ??= {})[arch] = p;
      }
    }
    const children = ci.variants.filter((c) => c.parent === v.uid).map((c) => c.id);
    variants[v.uid] = {
      id: v.id,
      uid: v.uid,
      name: v.name,
      type: v.type,
      arches,
      paths,
      ...(v.type === "layered-product" && v.release ? { release: releaseJson(v.release, true) } : {}),
      ...(children.length > 0 ? { variants: [...new Set(children)].sort() } : {}),
    };
  });
  const payload: Record<string, unknown> = {
    compose: composeSectionJson(ci.compose),
    release: releaseJson(ci.release, ci.release.isLayered),
    variants,
  };
  if (ci.release.isLayered) {
    if (!ci.baseProduct) throw new ProductmdError(`composeinfo (${INPUT})`, "baseProduct", "required when release.isLayered");
    payload.base_product = { ...ci.baseProduct };
  }
  const doc = { header: { type: METADATA_TYPES.composeinfo, version: CURRENT_VERSION }, payload };
  // the reader's checks (uid/parent alignment, layered releases, ...) are productmd's; apply them to what we would write
  readComposeInfoJson(doc, `composeinfo (${INPUT})`);
  return doc as z.input<typeof ComposeInfoV1_2Schema>;
}

function imageJson(im: ImageEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {
    arch: im.imageArch,
    bootable: im.bootable,
    checksums: { ...im.checksums },
    disc_count: im.discCount,
    disc_number: im.discNumber,
    format: im.format,
    implant_md5: im.implantMd5,
    mtime: im.mtime,
    path: im.path,
    size: im.size,
    subvariant: im.subvariant,
    type: im.type,
    volume_id: im.volumeId,
  };
  if (im.unified) {
    out.unified = true;
    out.additional_variants = [...im.additionalVariants];
  }
  return out;
}

/** The images.json document productmd would write. */
export function imagesDocument(compose: ComposeSection, images: readonly ImageEntry[]): z.input<typeof ImagesV1_2Schema> {
  const byVariant: Record<string, Record<string, Record<string, unknown>[]>> = {};
  images.forEach((raw, i) => {
    const im = parseWith(ImageEntrySchema, raw, `images (${INPUT})`, [i]);
    ((byVariant[im.variant] ??= {})[im.arch] ??= []).push(imageJson(im));
  });
  for (const byArch of Object.values(byVariant)) {
    for (const list of Object.values(byArch)) list.sort((a, b) => ((a.path as string) < (b.path as string) ? -1 : (a.path as string) > (b.path as string) ? 1 : 0));
  }
  const doc = {
    header: { type: METADATA_TYPES.images, version: CURRENT_VERSION },
    payload: { compose: composeSectionJson(compose), images: byVariant },
  };
  readImagesJson(doc, `images (${INPUT})`);
  return doc as z.input<typeof ImagesV1_2Schema>;
}

type RpmLeaf = { category: string; path: string; sigkey: string | null };
type RpmTree = Record<string, Record<string, Record<string, Record<string, RpmLeaf>>>>;

function child<T>(obj: Record<string, T>, key: string, make: () => T): T {
  let v = obj[key];
  if (v === undefined) {
    v = make();
    obj[key] = v;
  }
  return v;
}

/** productmd's Rpms.add rules, applied to one input entry. */
function addRpm(tree: RpmTree, raw: RpmEntry, index: number): void {
  const label = `rpms (${INPUT})`;
  const e = parseWith(RpmEntrySchema, raw, label, [index]);
  const fail = (field: string, detail: string): never => {
    throw new ProductmdError(label, formatJsonPath([index, field]), detail);
  };
  if (!RPM_ARCH_SET.has(e.arch)) fail("arch", `${JSON.stringify(e.arch)} is not a known RPM arch`);
  if (SOURCE_ARCHES.has(e.arch)) fail("arch", "source arch is not allowed: list source RPMs under the binary arches");
  if (e.path.startsWith("/")) fail("path", "expected a path relative to the compose dir");
  const nevra = checkNevra(e.nevra);
  if ("error" in nevra) return fail("nevra", nevra.error);
  const srpm = checkNevra(e.srpmNevra);
  if ("error" in srpm) return fail("srpmNevra", srpm.error);
  if ((e.category === "source") !== SOURCE_ARCHES.has(nevra.parsed.arch)) {
    fail("category", `category ${JSON.stringify(e.category)} does not fit the arch of ${e.nevra}`);
  }
  if (e.category === "source" && srpm.nevra !== nevra.nevra) fail("srpmNevra", "a source RPM is its own SRPM");
  const leaf: RpmLeaf = { category: e.category, path: e.path, sigkey: e.sigkey === null ? null : e.sigkey.toLowerCase() };
  const mkObj = () => Object.create(null);
  const group = child(child(child(tree, e.variant, mkObj), e.arch, mkObj), srpm.nevra, mkObj) as Record<string, RpmLeaf>;
  const existing = group[nevra.nevra];
  if (existing && (existing.category !== leaf.category || existing.path !== leaf.path || existing.sigkey !== leaf.sigkey)) {
    fail("nevra", `listed twice under ${e.variant}.${e.arch} with different data`);
  }
  group[nevra.nevra] = leaf;
}

async function writeAtomic(file: string, chunks: Iterable<string>, gzip: boolean): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    const source = Readable.from(chunks, { objectMode: false });
    if (gzip) await pipeline(source, createGzip(), createWriteStream(tmp));
    else await pipeline(source, createWriteStream(tmp));
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Write composeinfo.json, rpms.json and images.json (those given) into `metadataDir`.
 * The compose section of rpms.json and images.json is composeinfo's, as Pungi writes it.
 */
export async function writeComposeMetadata(
  metadataDir: string,
  input: ComposeMetadataInput,
  options: WriteMetadataOptions = {},
): Promise<WrittenMetadata> {
  const composeinfoDoc = composeInfoDocument(input.composeinfo);
  const compose = input.composeinfo.compose;
  const imagesDoc = input.images ? imagesDocument(compose, input.images) : null;
  let rpmsDoc: unknown = null;
  let rpmCount = 0;
  if (input.rpms) {
    const tree: RpmTree = Object.create(null);
    for await (const entry of input.rpms) addRpm(tree, entry, rpmCount++);
    rpmsDoc = { header: { type: METADATA_TYPES.rpms, version: CURRENT_VERSION }, payload: { compose: composeSectionJson(compose), rpms: tree } };
  }

  await mkdir(metadataDir, { recursive: true });
  const ext = options.gzip ? ".json.gz" : ".json";
  const gzip = options.gzip ?? false;
  const out: WrittenMetadata = { composeinfo: path.join(metadataDir, `composeinfo${ext}`), rpms: null, images: null, rpmCount, imageCount: input.images?.length ?? 0 };
  await writeAtomic(out.composeinfo, pythonJsonChunks(composeinfoDoc), gzip);
  if (rpmsDoc) {
    out.rpms = path.join(metadataDir, `rpms${ext}`);
    await writeAtomic(out.rpms, pythonJsonChunks(rpmsDoc), gzip);
  }
  if (imagesDoc) {
    out.images = path.join(metadataDir, `images${ext}`);
    await writeAtomic(out.images, pythonJsonChunks(imagesDoc), gzip);
  }
  return out;
}
