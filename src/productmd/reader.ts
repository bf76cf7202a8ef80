import { readFile } from "node:fs/promises";
import { COMPOSE_STATUSES } from "./constants.js";
import { readComposeInfoJson } from "./composeinfo.js";
import { ProductmdError } from "./errors.js";
import { readImagesJson } from "./images.js";
import { readJsonFile } from "./json-file.js";
import type { ComposeInfo, ComposeStatus, ComposeStatusInfo, Images } from "./model.js";
import { RpmsStream, type StreamRpmsOptions } from "./rpms.js";
import {
  findMetadataFile,
  isUrl,
  joinLocation,
  metadataFile,
  probe,
  resolveComposeLocation,
  type ComposeLocation,
  type MetadataFile,
} from "./source.js";

async function requireFile(location: string): Promise<MetadataFile> {
  if (!(await probe(location)).exists) throw new ProductmdError(location, null, "not found");
  return metadataFile(location);
}

/** A composeinfo.json (or .json.gz) file, path or URL, validated and normalised. */
export async function readComposeInfo(file: string): Promise<ComposeInfo> {
  const f = await requireFile(file);
  return readComposeInfoJson(await readJsonFile(f), f.location);
}

/** An images.json (or .json.gz) file, path or URL, validated and normalised. */
export async function readImages(file: string): Promise<Images> {
  const f = await requireFile(file);
  return readImagesJson(await readJsonFile(f), f.location);
}

/** An rpms.json (or .json.gz) file, path or URL, as a stream; nothing is read until iterated. */
export function streamRpms(file: string, options: StreamRpmsOptions = {}): RpmsStream {
  return new RpmsStream(metadataFile(file), options);
}

/** The compose STATUS file in `topDir`; null when there is none. */
export async function readStatus(topDir: string): Promise<ComposeStatusInfo | null> {
  const location = joinLocation(topDir, "STATUS");
  const presence = await probe(location);
  if (!presence.exists) return null;
  let text: string;
  try {
    if (isUrl(location)) {
      const res = await fetch(location, { redirect: "follow" });
      if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
      text = await res.text();
    } else {
      text = await readFile(location, "utf8");
    }
  } catch (err) {
    throw new ProductmdError(location, null, `read error: ${(err as Error).message}`);
  }
  const word = text.trim();
  if (!(COMPOSE_STATUSES as readonly string[]).includes(word)) {
    throw new ProductmdError(location, null, `expected one of ${COMPOSE_STATUSES.join(", ")}, got ${JSON.stringify(word.slice(0, 80))}`);
  }
  return { status: word as ComposeStatus, mtime: presence.mtime };
}

export interface ComposeMetadata {
  location: ComposeLocation;
  /** The files actually read (path or URL), null for absent optional ones. */
  files: { composeinfo: string; images: string | null; rpms: string | null };
  composeinfo: ComposeInfo;
  /** null: the compose has no images.json. */
  images: Images | null;
  /** null: the compose has no rpms.json. Not read yet: iterate it (or validate() it). */
  rpms: RpmsStream | null;
  /** null: no STATUS file in the top directory. */
  status: ComposeStatusInfo | null;
}

export interface ReadComposeOptions {
  /**
   * Read all of rpms.json once before returning, so that a broken file fails here rather than
   * in the middle of the caller's own pass. Costs a second read (download) of the file.
   */
  validateRpms?: boolean;
}

/**
 * Read a compose's metadata. `location`: its top directory, its `compose/` directory or its
 * metadata directory, or an http(s) URL of one of these. composeinfo.json is required;
 * images.json and rpms.json are optional (productmd's legacy names image-manifest.json and
 * rpm-manifest.json are found too); each may be gzip-compressed (.json.gz).
 * images.json and rpms.json must name the same compose id as composeinfo.json.
 */
export async function readCompose(location: string, options: ReadComposeOptions = {}): Promise<ComposeMetadata> {
  const where = await resolveComposeLocation(location);
  const composeinfoFile = await findMetadataFile(where.metadataDir, ["composeinfo.json"]);
  if (!composeinfoFile) throw new ProductmdError(joinLocation(where.metadataDir, "composeinfo.json"), null, "not found");
  const composeinfo = readComposeInfoJson(await readJsonFile(composeinfoFile), composeinfoFile.location);
  const composeId = composeinfo.compose.id;

  const imagesFile = await findMetadataFile(where.metadataDir, ["images.json", "image-manifest.json"]);
  let images: Images | null = null;
  if (imagesFile) {
    images = readImagesJson(await readJsonFile(imagesFile), imagesFile.location);
    if (images.compose.id !== composeId) {
      throw new ProductmdError(
        imagesFile.location,
        "payload.compose.id",
        `expected ${JSON.stringify(composeId)} (the id in composeinfo.json), got ${JSON.stringify(images.compose.id)}`,
      );
    }
  }

  const rpmsFile = await findMetadataFile(where.metadataDir, ["rpms.json", "rpm-manifest.json"]);
  const rpms = rpmsFile ? new RpmsStream(rpmsFile, { expectComposeId: composeId }) : null;
  if (rpms && options.validateRpms) await rpms.validate();

  return {
    location: where,
    files: { composeinfo: composeinfoFile.location, images: imagesFile?.location ?? null, rpms: rpmsFile?.location ?? null },
    composeinfo,
    images,
    rpms,
    status: await readStatus(where.topDir),
  };
}
