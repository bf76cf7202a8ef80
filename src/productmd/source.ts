// Where compose metadata lives and how to get its bytes: local directories or http(s) URLs,
// each file plain or gzip-compressed.
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { ProductmdError } from "./errors.js";

/** One metadata file to read: `location` is a filesystem path or a URL. */
export interface MetadataFile {
  location: string;
  gzip: boolean;
}

export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

export function metadataFile(location: string): MetadataFile {
  return { location, gzip: /\.gz$/i.test(isUrl(location) ? new URL(location).pathname : location) };
}

function joinLocation(base: string, ...parts: string[]): string {
  if (!isUrl(base)) return path.join(base, ...parts);
  const url = new URL(base);
  const prefix = url.pathname.endsWith("/") ? url.pathname : `${url.pathname}/`;
  url.pathname = prefix + parts.join("/");
  return url.toString();
}

function parentLocation(location: string): string {
  if (!isUrl(location)) return path.dirname(location);
  const url = new URL(location);
  url.pathname = url.pathname.replace(/\/+$/, "").replace(/[^/]*$/, "") || "/";
  return url.toString();
}

function baseName(location: string): string {
  return isUrl(location) ? new URL(location).pathname.replace(/\/+$/, "").split("/").pop() ?? "" : path.basename(location);
}

async function httpHead(url: string): Promise<Response> {
  const res = await fetch(url, { method: "HEAD", redirect: "follow" });
  // Some static servers refuse HEAD; a GET whose body we drop answers the same question.
  if (res.status !== 405 && res.status !== 501) return res;
  const get = await fetch(url, { redirect: "follow" });
  await get.body?.cancel();
  return get;
}

export interface Presence {
  exists: boolean;
  mtime: Date | null;
}

export async function probe(location: string): Promise<Presence> {
  if (isUrl(location)) {
    let res: Response;
    try {
      res = await httpHead(location);
    } catch (err) {
      throw new ProductmdError(location, null, `cannot reach: ${(err as Error).message}`);
    }
    if (res.status === 404 || res.status === 410) return { exists: false, mtime: null };
    if (!res.ok) throw new ProductmdError(location, null, `HTTP ${res.status} ${res.statusText}`);
    const lastModified = res.headers.get("last-modified");
    return { exists: true, mtime: lastModified ? new Date(lastModified) : null };
  }
  try {
    const st = await stat(location);
    return { exists: st.isFile(), mtime: st.mtime };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") {
      return { exists: false, mtime: null };
    }
    throw new ProductmdError(location, null, (err as Error).message);
  }
}

/** The first of `names` (each tried plain, then with `.gz`) that exists in `dir`. */
export async function findMetadataFile(dir: string, names: readonly string[]): Promise<MetadataFile | null> {
  for (const name of names) {
    for (const candidate of [name, `${name}.gz`]) {
      const location = joinLocation(dir, candidate);
      if ((await probe(location)).exists) return metadataFile(location);
    }
  }
  return null;
}

/** Raw bytes of a file, gunzipped when it is a .gz; errors while streaming come out of the iterator. */
export async function openBytes(file: MetadataFile): Promise<AsyncIterable<Uint8Array>> {
  let raw: Readable;
  if (isUrl(file.location)) {
    let res: Response;
    try {
      res = await fetch(file.location, { redirect: "follow" });
    } catch (err) {
      throw new ProductmdError(file.location, null, `cannot reach: ${(err as Error).message}`);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new ProductmdError(file.location, null, `HTTP ${res.status} ${res.statusText}`);
    }
    raw = Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>);
    // servers configured with "AddEncoding gzip .gz" send .gz files Content-Encoding: gzip, and fetch has already decoded them
    if (/gzip/i.test(res.headers.get("content-encoding") ?? "")) return raw;
  } else {
    raw = createReadStream(file.location, { highWaterMark: 256 * 1024 });
  }
  if (!file.gzip) return raw;
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  // pipe() would not forward errors of the source; forward them so the consumer sees them.
  raw.on("error", (err) => gunzip.destroy(err));
  gunzip.on("close", () => raw.destroy());
  return raw.pipe(gunzip);
}

export interface ComposeLocation {
  /** The compose's top directory: holds STATUS and COMPOSE_ID. */
  topDir: string;
  /** The directory productmd paths are relative to (holds `metadata/`), usually `<top>/compose`. */
  composeDir: string;
  metadataDir: string;
}

const COMPOSEINFO_NAMES = ["composeinfo.json", "composeinfo.json.gz"];

async function hasComposeinfo(dir: string): Promise<boolean> {
  for (const name of COMPOSEINFO_NAMES) if ((await probe(joinLocation(dir, name))).exists) return true;
  return false;
}

/**
 * Find the metadata of a compose given its top directory, its `compose/` directory or the
 * metadata directory itself, like productmd.compose.Compose (which also accepts the legacy
 * `<top>/<version>/metadata` layout, scanned only on local disks).
 */
export async function resolveComposeLocation(location: string): Promise<ComposeLocation> {
  const at = (composeDir: string, topDir: string): ComposeLocation => ({
    topDir,
    composeDir,
    metadataDir: joinLocation(composeDir, "metadata"),
  });
  const composeSub = joinLocation(location, "compose");
  if (await hasComposeinfo(joinLocation(composeSub, "metadata"))) return at(composeSub, location);
  if (await hasComposeinfo(joinLocation(location, "metadata"))) {
    return at(location, baseName(location) === "compose" ? parentLocation(location) : location);
  }
  if (await hasComposeinfo(location)) {
    const composeDir = parentLocation(location);
    return {
      topDir: baseName(composeDir) === "compose" ? parentLocation(composeDir) : composeDir,
      composeDir,
      metadataDir: location,
    };
  }
  if (!isUrl(location)) {
    let entries: string[] = [];
    try {
      entries = (await readdir(location, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    } catch {
      // not a directory: fall through to the error below
    }
    for (const name of entries) {
      const sub = path.join(location, name);
      if (await hasComposeinfo(path.join(sub, "metadata"))) return at(sub, location);
    }
  }
  throw new ProductmdError(
    location,
    null,
    "no compose metadata found (looked for compose/metadata/composeinfo.json, metadata/composeinfo.json, composeinfo.json, each also .gz)",
  );
}

export { joinLocation };
