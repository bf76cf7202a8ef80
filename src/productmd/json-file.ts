import { ProductmdError, formatJsonPath } from "./errors.js";
import { JsonFeeder, JsonPathError, JsonSyntaxError, type JsonVisitor } from "./json-stream.js";
import { openBytes, type MetadataFile } from "./source.js";

function asProductmdError(err: unknown, file: MetadataFile, feeder: JsonFeeder): ProductmdError {
  if (err instanceof ProductmdError) return err;
  if (err instanceof JsonPathError) return new ProductmdError(file.location, formatJsonPath(err.path), err.detail);
  const e = err as NodeJS.ErrnoException;
  const at = feeder.currentPath();
  const where = at.length > 0 ? formatJsonPath(at) : null;
  if (file.gzip && typeof e.code === "string" && e.code.startsWith("Z_")) {
    return new ProductmdError(file.location, where, `corrupt gzip data: ${e.message}`);
  }
  return new ProductmdError(file.location, where, `read error: ${e.message ?? String(err)}`);
}

/**
 * Re-read the file up to a syntax error found at character `from`, feeding the last stretch one
 * character at a time, to learn the exact JSON path of the error. Only ever run on failure.
 */
async function locateSyntaxError(file: MetadataFile, visitor: JsonVisitor, from: number): Promise<unknown> {
  const feeder = new JsonFeeder(visitor, from);
  try {
    for await (const chunk of await openBytes(file)) {
      feeder.write(chunk as Uint8Array);
      visitor.discard?.();
    }
    feeder.end();
  } catch (err) {
    return err;
  }
  return null;
}

/**
 * Stream `file` through `visitor`, yielding after every input chunk so the caller can hand on
 * what the visitor collected. Whatever goes wrong (I/O, gzip, JSON syntax, validation in the
 * visitor) comes out as a ProductmdError naming the file and, where it has one, the JSON path.
 * `freshVisitor` makes a visitor like `visitor` for re-reading the file to locate a syntax error.
 */
export async function* feedFile(
  file: MetadataFile,
  visitor: JsonVisitor,
  freshVisitor: () => JsonVisitor,
): AsyncGenerator<void, void, undefined> {
  const feeder = new JsonFeeder(visitor);
  try {
    const bytes = await openBytes(file);
    for await (const chunk of bytes) {
      feeder.write(chunk as Uint8Array);
      yield;
    }
    feeder.end();
  } catch (err) {
    if (err instanceof JsonSyntaxError && !err.exact) {
      const located = await locateSyntaxError(file, freshVisitor(), err.from);
      if (located instanceof JsonSyntaxError && located.exact) throw asProductmdError(located, file, feeder);
    }
    throw asProductmdError(err, file, feeder);
  }
}

/** A whole (small) JSON file, parsed; syntax errors carry the JSON path reached. */
export async function readJsonFile(file: MetadataFile): Promise<unknown> {
  let result: unknown;
  const makeVisitor = (): JsonVisitor => ({
    enter: () => "capture",
    value: (_path, value) => {
      result = value;
    },
  });
  for await (const _ of feedFile(file, makeVisitor(), makeVisitor)) {
    // everything is assembled by the visitor
  }
  return result;
}
