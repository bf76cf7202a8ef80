import { z } from "zod";
import { ProductmdError, formatJsonPath, parseWith } from "./errors.js";
import { HEADER_VERSION_RE } from "./model.js";

export type Version = readonly [number, number];

/** Any header: enough to learn the version before choosing the schema for the rest. */
export const AnyHeaderSchema = z.object({ version: z.string().regex(HEADER_VERSION_RE) });

/** Headers before 1.1 carry only a version; a `type` there is ignored, as productmd does. */
export const HeaderV1_0Schema = z.object({ version: z.string().regex(HEADER_VERSION_RE) });

/** From 1.1 on the header names the file type, and productmd refuses a mismatch. */
export function headerV1_1Schema<T extends string>(type: T) {
  return z.object({ type: z.literal(type), version: z.string().regex(HEADER_VERSION_RE) });
}

export function versionOf(text: string): Version {
  const [major, minor] = text.split(".").map(Number);
  return [major!, minor!];
}

export function cmpVersion(a: Version, b: Version): number {
  return a[0] - b[0] || a[1] - b[1];
}

/**
 * Validate a header found at `header` of `file`. productmd 1.51 would read any x.y; we stop at
 * major 2 because a future format is not something 1.x semantics can be trusted to read.
 */
export function readHeader(raw: unknown, type: string, file: string): { version: string; tuple: Version } {
  const { version } = parseWith(AnyHeaderSchema, raw, file, ["header"]);
  const tuple = versionOf(version);
  if (tuple[0] >= 2) {
    throw new ProductmdError(file, formatJsonPath(["header", "version"]), `unsupported version ${version} (productmd 1.51 reads up to 1.x)`);
  }
  if (cmpVersion(tuple, [1, 1]) >= 0) parseWith(headerV1_1Schema(type), raw, file, ["header"]);
  return { version, tuple };
}
