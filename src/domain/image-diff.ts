// Images are matched across composes by the identity productmd's images.json 1.1 spec defines,
// never by path: paths carry the compose ID and so differ between any two composes.

import { type ComposeImage, compareText } from "./compose-content.js";

export interface ImageIdentity {
  variant: string;
  arch: string;
  subvariant: string;
  type: string;
  format: string;
  discNumber: number;
}

export interface ImageFile {
  path: string;
  size: number;
  checksums: Record<string, string>;
}

export interface ImageChange extends ImageIdentity {
  from: ImageFile;
  to: ImageFile;
  /** to.size - from.size, in bytes. */
  sizeDelta: number;
  checksumChanged: boolean;
}

export interface ImageDiff {
  added: ComposeImage[];
  removed: ComposeImage[];
  changed: ImageChange[];
}

export function imageIdentity(image: ImageIdentity): ImageIdentity {
  const { variant, arch, subvariant, type, format, discNumber } = image;
  return { variant, arch, subvariant, type, format, discNumber };
}

export function imageIdentityKey(image: ImageIdentity): string {
  return JSON.stringify([image.variant, image.subvariant, image.type, image.format, image.arch, image.discNumber]);
}

export function describeImageIdentity(image: ImageIdentity): string {
  // productmd 1.0 metadata has no subvariant; "-" keeps the columns readable.
  const subvariant = image.subvariant || "-";
  return `${image.variant}/${image.arch} ${subvariant} ${image.type} ${image.format} disc ${image.discNumber}`;
}

export function compareImageIdentity(a: ImageIdentity, b: ImageIdentity): number {
  return (
    compareText(a.variant, b.variant) ||
    compareText(a.arch, b.arch) ||
    compareText(a.subvariant, b.subvariant) ||
    compareText(a.type, b.type) ||
    compareText(a.format, b.format) ||
    a.discNumber - b.discNumber
  );
}

function sortedChecksums(checksums: Record<string, string>): Record<string, string> {
  const sorted: Record<string, string> = {};
  for (const algorithm of Object.keys(checksums).sort(compareText)) sorted[algorithm] = checksums[algorithm] as string;
  return sorted;
}

function imageFile(image: ImageFile): ImageFile {
  return { path: image.path, size: image.size, checksums: sortedChecksums(image.checksums) };
}

function copyImage(image: ComposeImage): ComposeImage {
  return { ...imageIdentity(image), ...imageFile(image) };
}

/**
 * Checksums differ when any algorithm both sides list disagrees. With no algorithm in common
 * nothing proves the files equal, so that counts as changed unless neither side has any.
 */
export function checksumsDiffer(a: Record<string, string>, b: Record<string, string>): boolean {
  let common = 0;
  for (const [algorithm, value] of Object.entries(a)) {
    const other = b[algorithm];
    if (other === undefined) continue;
    common++;
    if (other.toLowerCase() !== value.toLowerCase()) return true;
  }
  return common === 0 && (Object.keys(a).length > 0 || Object.keys(b).length > 0);
}

function sameFile(a: ImageFile, b: ImageFile): boolean {
  return a.path === b.path && a.size === b.size && !checksumsDiffer(a.checksums, b.checksums);
}

/**
 * One entry per identity. images.json lists a source image under every tree arch it serves
 * (see productmd's src_move fixtures), which is the same image, not a duplicate; two different
 * files claiming one identity break the spec's uniqueness rule and are rejected.
 */
export function uniqueImages(images: readonly ComposeImage[], composeId: string): Map<string, ComposeImage> {
  const unique = new Map<string, ComposeImage>();
  for (const image of images) {
    const key = imageIdentityKey(image);
    const seen = unique.get(key);
    if (seen === undefined) {
      unique.set(key, image);
    } else if (!sameFile(seen, image)) {
      throw new Error(
        `compose ${composeId}: two different images share the identity ${describeImageIdentity(image)}: ` +
          `${seen.path} and ${image.path}`,
      );
    }
  }
  return unique;
}

export function diffImages(
  from: readonly ComposeImage[],
  to: readonly ComposeImage[],
  fromId = "from",
  toId = "to",
): ImageDiff {
  const before = uniqueImages(from, fromId);
  const after = uniqueImages(to, toId);
  const added: ComposeImage[] = [];
  const removed: ComposeImage[] = [];
  const changed: ImageChange[] = [];

  for (const [key, image] of after) {
    const old = before.get(key);
    if (old === undefined) {
      added.push(copyImage(image));
    } else if (!sameFile(old, image)) {
      changed.push({
        ...imageIdentity(image),
        from: imageFile(old),
        to: imageFile(image),
        sizeDelta: image.size - old.size,
        checksumChanged: checksumsDiffer(old.checksums, image.checksums),
      });
    }
  }
  for (const [key, image] of before) {
    if (!after.has(key)) removed.push(copyImage(image));
  }

  added.sort(compareImageIdentity);
  removed.sort(compareImageIdentity);
  changed.sort(compareImageIdentity);
  return { added, removed, changed };
}
