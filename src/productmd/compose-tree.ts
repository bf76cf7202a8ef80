// A sandbox compose producer: lays out a complete compose tree the way Pungi does (metadata,
// STATUS, COMPOSE_ID, RPMs and images at their productmd paths), built in a temporary sibling
// directory and renamed into place, so a crash never leaves a half-written compose behind.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { copyFile, link, mkdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { ImageFormat, ImageType } from "./constants.js";
import { ProductmdError } from "./errors.js";
import type { ComposeStatus, ImageEntry, RpmCategory, RpmEntry, Variant, VariantPaths } from "./model.js";
import { checkNevra, rpmFileName } from "./nevra.js";
import { writeComposeMetadata, type ComposeInfoInput } from "./writer.js";

export interface ComposeTreeRpm {
  variant: string;
  /** Tree arch the RPM is listed under (source RPMs: each binary arch that ships their builds). */
  arch: string;
  nevra: string;
  /** Required for binary and debug RPMs; a source RPM is its own SRPM. */
  srpmNevra?: string;
  category: RpmCategory;
  sigkey: string | null;
  /** File to place at the RPM's path: hard-linked, or copied across filesystems. Omit for metadata only. */
  sourceFile?: string;
  /** Override the path Pungi would use (relative to the compose dir). */
  path?: string;
}

export interface ComposeTreeImage {
  variant: string;
  arch: string;
  fileName: string;
  type: ImageType;
  format: ImageFormat;
  subvariant: string;
  /** The image's own arch; default `arch` ("src" for source media). */
  imageArch?: string;
  bootable?: boolean;
  volumeId?: string | null;
  implantMd5?: string | null;
  discNumber?: number;
  discCount?: number;
  unified?: boolean;
  additionalVariants?: string[];
  /** File to place; its size, mtime and sha256 become the metadata unless given below. */
  sourceFile?: string;
  size?: number;
  mtime?: number;
  checksums?: Record<string, string>;
  path?: string;
}

export type ComposeTreeVariant = Omit<Variant, "paths"> & { paths?: VariantPaths };

export interface ComposeTreeInput {
  /** Variants without `paths` get the ones Pungi writes for what this tree contains. */
  composeinfo: Omit<ComposeInfoInput, "variants"> & { variants: ComposeTreeVariant[] };
  /** Content of STATUS; default FINISHED; null writes none (a compose Pungi has just created). */
  status?: ComposeStatus | null;
  rpms?: ComposeTreeRpm[];
  images?: ComposeTreeImage[];
  gzip?: boolean;
  /** "link" (default) hard-links files and copies only across filesystems; "copy" always copies. */
  placement?: "link" | "copy";
}

export interface ComposeTree {
  topDir: string;
  composeDir: string;
  metadataDir: string;
  rpms: RpmEntry[];
  images: ImageEntry[];
}

const BOOTABLE_TYPES = new Set(["boot", "cd", "dvd", "dvd-ostree", "dvd-ostree-osbuild", "live", "live-osbuild", "netinst"]);

/** Pungi's layout with hashed_directories (Fedora's setting): Packages/<first letter>/<file>. */
export function rpmTreePath(variant: string, arch: string, category: RpmCategory, nevra: string): string {
  const checked = checkNevra(nevra);
  if ("error" in checked) throw new Error(checked.error);
  const file = rpmFileName(checked.parsed);
  const tree =
    category === "source" ? `${variant}/source/tree` : category === "debug" ? `${variant}/${arch}/debug/tree` : `${variant}/${arch}/os`;
  return `${tree}/Packages/${file[0]!.toLowerCase()}/${file}`;
}

export function imageTreePath(variant: string, arch: string, format: string, fileName: string, imageArch = arch): string {
  const dirArch = imageArch === "src" ? "source" : arch;
  return `${variant}/${dirArch}/${format === "iso" ? "iso" : "images"}/${fileName}`;
}

function defaultPaths(v: ComposeTreeVariant, rpms: RpmEntry[], images: ImageEntry[]): VariantPaths {
  const paths: VariantPaths = {};
  const set = (category: keyof VariantPaths, arch: string, value: string) => {
    (paths[category] ??= {})[arch] = value;
  };
  const hasDebug = rpms.some((r) => r.variant === v.uid && r.category === "debug");
  for (const arch of v.arches) {
    set("os_tree", arch, `${v.uid}/${arch}/os`);
    set("packages", arch, `${v.uid}/${arch}/os/Packages`);
    set("repository", arch, `${v.uid}/${arch}/os`);
    set("source_tree", arch, `${v.uid}/source/tree`);
    set("source_packages", arch, `${v.uid}/source/tree/Packages`);
    set("source_repository", arch, `${v.uid}/source/tree`);
    if (hasDebug) {
      set("debug_tree", arch, `${v.uid}/${arch}/debug/tree`);
      set("debug_packages", arch, `${v.uid}/${arch}/debug/tree/Packages`);
      set("debug_repository", arch, `${v.uid}/${arch}/debug/tree`);
    }
    for (const im of images) {
      if (im.variant !== v.uid || im.arch !== arch) continue;
      const dir = path.posix.dirname(im.path);
      if (im.imageArch === "src") set(im.format === "iso" ? "source_isos" : "images", arch, dir);
      else set(im.format === "iso" ? "isos" : "images", arch, dir);
    }
  }
  return paths;
}

function treePathOf(r: ComposeTreeRpm, index: number): string {
  try {
    return rpmTreePath(r.variant, r.arch, r.category, r.nevra);
  } catch (err) {
    throw new ProductmdError("rpms (compose tree input)", `[${index}].nevra`, (err as Error).message);
  }
}

async function sha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return hash.digest("hex");
}

async function imageEntry(im: ComposeTreeImage): Promise<ImageEntry> {
  const imageArch = im.imageArch ?? im.arch;
  let { size, mtime, checksums } = im;
  if (im.sourceFile && (size === undefined || mtime === undefined || checksums === undefined)) {
    const st = await stat(im.sourceFile);
    size ??= st.size;
    mtime ??= Math.floor(st.mtimeMs / 1000);
    checksums ??= { sha256: await sha256(im.sourceFile) };
  }
  if (size === undefined || mtime === undefined || checksums === undefined) {
    throw new Error(`image ${im.fileName}: give sourceFile, or size, mtime and checksums`);
  }
  return {
    variant: im.variant,
    arch: im.arch,
    imageArch,
    path: im.path ?? imageTreePath(im.variant, im.arch, im.format, im.fileName, imageArch),
    mtime,
    size,
    volumeId: im.volumeId ?? null,
    type: im.type,
    format: im.format,
    discNumber: im.discNumber ?? 1,
    discCount: im.discCount ?? 1,
    checksums,
    implantMd5: im.implantMd5 ?? null,
    bootable: im.bootable ?? (im.format === "iso" && BOOTABLE_TYPES.has(im.type)),
    subvariant: im.subvariant,
    unified: im.unified ?? false,
    additionalVariants: im.additionalVariants ?? [],
  };
}

async function place(source: string, dest: string, placement: "link" | "copy"): Promise<void> {
  await mkdir(path.dirname(dest), { recursive: true });
  if (placement === "link") {
    try {
      await link(source, dest);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "EXDEV" && code !== "EPERM" && code !== "EMLINK") throw err;
    }
  }
  await copyFile(source, dest);
}

/**
 * Create the compose tree at `topDir` (which must not exist yet):
 *   <topDir>/STATUS, <topDir>/COMPOSE_ID, <topDir>/compose/metadata/{composeinfo,rpms,images}.json,
 *   <topDir>/compose/<Variant>/<arch>/os/Packages/<l>/<rpm>, .../debug/tree/Packages/...,
 *   <topDir>/compose/<Variant>/source/tree/Packages/..., <topDir>/compose/<Variant>/<arch>/{iso,images}/<image>.
 */
export async function writeComposeTree(topDir: string, input: ComposeTreeInput): Promise<ComposeTree> {
  const target = path.resolve(topDir);
  if (await stat(target).then(() => true, () => false)) throw new Error(`${target} already exists`);

  const rpms: RpmEntry[] = (input.rpms ?? []).map((r, i) => ({
    variant: r.variant,
    arch: r.arch,
    srpmNevra: r.category === "source" ? r.nevra : (r.srpmNevra ?? ""),
    nevra: r.nevra,
    path: r.path ?? treePathOf(r, i),
    sigkey: r.sigkey,
    category: r.category,
  }));
  const images = await Promise.all((input.images ?? []).map(imageEntry));
  const composeinfo: ComposeInfoInput = {
    ...input.composeinfo,
    variants: input.composeinfo.variants.map((v) => ({ ...v, paths: v.paths ?? defaultPaths(v, rpms, images) })),
  };

  const files = new Map<string, string>();
  const want = (relPath: string, source: string | undefined) => {
    if (!source) return;
    const previous = files.get(relPath);
    if (previous !== undefined && path.resolve(previous) !== path.resolve(source)) {
      throw new ProductmdError(relPath, null, `two different source files for one path: ${previous}, ${source}`);
    }
    files.set(relPath, source);
  };
  (input.rpms ?? []).forEach((r, i) => want(rpms[i]!.path, r.sourceFile));
  (input.images ?? []).forEach((im, i) => want(images[i]!.path, im.sourceFile));

  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.partial-${process.pid}-${randomBytes(4).toString("hex")}`);
  await mkdir(path.dirname(target), { recursive: true });
  await mkdir(tmp);
  try {
    const composeDir = path.join(tmp, "compose");
    await writeComposeMetadata(path.join(composeDir, "metadata"), { composeinfo, rpms, images: input.images ? images : null }, { gzip: input.gzip ?? false });
    for (const [relPath, source] of files) await place(source, path.join(composeDir, ...relPath.split("/")), input.placement ?? "link");
    // Pungi writes COMPOSE_ID without a newline and STATUS with one
    await writeFile(path.join(tmp, "COMPOSE_ID"), composeinfo.compose.id);
    const status = input.status === undefined ? "FINISHED" : input.status;
    if (status !== null) await writeFile(path.join(tmp, "STATUS"), `${status}\n`);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return { topDir: target, composeDir: path.join(target, "compose"), metadataDir: path.join(target, "compose", "metadata"), rpms, images };
}
