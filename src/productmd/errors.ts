import type { z } from "zod";

export type JsonPath = readonly (string | number)[];

/**
 * Everything wrong with a metadata file surfaces as this one error type, so callers can tell
 * "the compose is broken" (report, skip) from bugs and I/O trouble of their own.
 */
export class ProductmdError extends Error {
  constructor(
    /** The file (path as given, or URL) the problem is in. */
    readonly file: string,
    /** Where in the JSON document, formatted (`payload.rpms.Server.x86_64["bash-0:5.2-1.fc44.src"]`); null when not tied to a position. */
    readonly jsonPath: string | null,
    readonly detail: string,
  ) {
    super(jsonPath === null ? `${file}: ${detail}` : `${file}: ${jsonPath}: ${detail}`);
    this.name = "ProductmdError";
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function formatJsonPath(path: JsonPath): string {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (IDENTIFIER.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function listValues(values: readonly unknown[]): string {
  return values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))).join(", ");
}

/** Per-parse zod error map: messages in the project's "expected X, got Y" style. */
export function zodMessage(issue: z.core.$ZodRawIssue): string {
  const input = issue.input;
  switch (issue.code) {
    case "invalid_type":
      if (input === undefined) return `missing (expected ${issue.expected})`;
      return `expected ${issue.expected === "int" ? "an integer" : issue.expected}, got ${describeValue(input)}`;
    case "invalid_value":
      if (issue.values.length === 1) return `expected ${JSON.stringify(issue.values[0])}, got ${describeValue(input)}`;
      return `expected one of ${listValues(issue.values)}, got ${describeValue(input)}`;
    case "invalid_format":
      return `${describeValue(input)} does not match ${issue.pattern ?? issue.format}`;
    case "too_small":
      if (issue.origin === "array") return `expected at least ${issue.minimum} element(s)`;
      if (issue.origin === "string") return `must not be blank`;
      return `expected at least ${issue.minimum}, got ${describeValue(input)}`;
    case "too_big":
      return `expected at most ${issue.maximum}, got ${describeValue(input)}`;
    case "invalid_union":
      return `unexpected value ${describeValue(input)}`;
    default:
      return issue.message ?? `invalid value ${describeValue(input)}`;
  }
}

/** Validate `data` (found at `basePath` of `file`) against `schema`; the first issue becomes a ProductmdError. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  data: unknown,
  file: string,
  basePath: JsonPath,
): z.output<S> {
  const result = schema.safeParse(data, { error: zodMessage });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ProductmdError(
    file,
    formatJsonPath([...basePath, ...(issue.path as (string | number)[])]),
    issue.message,
  );
}
