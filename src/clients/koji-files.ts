// Downloading a Koji build's files the way Koji's CLI (download-build) and Pungi do: from the
// topurl in koji.PathInfo's layout, never through the hub. Streamed to disk, then checked
// against Koji's archive record (size, checksum, checksum_type), as cli/koji_cli/lib.py
// download_archive checks.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { redactUrl } from "../redact.js";
import { CHECKSUM_TYPES, type KojiArchive, type KojiClient } from "./koji.js";

const ALGORITHMS = new Map<number, string>(Object.entries(CHECKSUM_TYPES).map(([name, code]) => [code, name]));

export interface DownloadProgress {
  fileName: string;
  bytes: number;
  size: number;
}

export interface DownloadOptions {
  /**
   * Called as bytes arrive — after each `progressEveryBytes` (default 8 MiB) or `progressEveryMs`
   * (default 5 s) with bytes, and at the end: heartbeat here. A stalled transfer reports nothing.
   */
  onProgress?: (p: DownloadProgress) => void;
  progressEveryBytes?: number;
  progressEveryMs?: number;
  signal?: AbortSignal;
}

/** A downloaded file did not match Koji's archive record; nothing is left at the target. */
export class KojiDownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KojiDownloadError";
  }
}

/**
 * Downloads an image archive of `build` to `target`: `<topurl>[/vol/<volume>]/packages/<n>/<v>/<r>/images/<file>`
 * (PathInfo.imagebuild, volume-aware). The bytes go to `<target>.part`, hashed as they stream;
 * only when size and checksum match the archive record is it renamed to `target`.
 */
export async function downloadImageArchive(
  koji: KojiClient,
  build: { name: string; version: string; release: string; volume_name?: string | null },
  archive: Pick<KojiArchive, "filename" | "size" | "checksum" | "checksum_type" | "btype">,
  target: string,
  options: DownloadOptions = {},
): Promise<{ url: string; size: number; checksum: string }> {
  if (archive.btype !== "image") throw new KojiDownloadError(`${archive.filename} is a ${archive.btype} archive, not an image`);
  const algorithm = ALGORITHMS.get(archive.checksum_type);
  if (!algorithm) throw new KojiDownloadError(`${archive.filename}: unknown checksum type ${archive.checksum_type} in Koji's archive record`);
  const url = koji.imageUrl(build, archive.filename);
  const shown = redactUrl(url, { dropQuery: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const partial = `${target}.part`;
  const hash = createHash(algorithm);
  let bytes = 0;
  try {
    let res: Response;
    try {
      res = await koji.fetchFn(url, { signal: options.signal });
    } catch (err) {
      throw new Error(`cannot download ${shown}: ${(err as Error).message}`, { cause: err });
    }
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new KojiDownloadError(`GET ${shown}: HTTP ${res.status}`);
    }
    const every = options.progressEveryBytes ?? 8 * 1024 * 1024;
    const everyMs = options.progressEveryMs ?? 5_000;
    let reported = 0;
    let reportedAt = Date.now();
    const out = fs.createWriteStream(partial);
    try {
      for await (const chunk of Readable.fromWeb(res.body as never) as AsyncIterable<Buffer>) {
        hash.update(chunk);
        bytes += chunk.length;
        if (bytes > archive.size) throw new KojiDownloadError(`${shown}: more than the ${archive.size} bytes Koji recorded for ${archive.filename}`);
        if (!out.write(chunk)) await new Promise<void>((resolve, reject) => out.once("drain", resolve).once("error", reject));
        if (bytes - reported >= every || Date.now() - reportedAt >= everyMs) {
          reported = bytes;
          reportedAt = Date.now();
          options.onProgress?.({ fileName: archive.filename, bytes, size: archive.size });
        }
      }
    } finally {
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    options.onProgress?.({ fileName: archive.filename, bytes, size: archive.size });
    if (bytes !== archive.size) throw new KojiDownloadError(`${shown}: ${bytes} bytes, Koji recorded ${archive.size} for ${archive.filename}`);
    const checksum = hash.digest("hex");
    if (checksum !== archive.checksum) {
      throw new KojiDownloadError(`${shown}: ${algorithm} ${checksum} does not match Koji's ${archive.checksum} for ${archive.filename}`);
    }
    fs.renameSync(partial, target);
    return { url, size: bytes, checksum };
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
}
