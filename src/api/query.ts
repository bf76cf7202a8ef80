// Query parameters, validated with zod: every route and page parses its URLSearchParams through
// parseQuery, so a bad value is a 400 naming the parameter and never reaches a database or Temporal.
import { z } from "zod";
import { HttpError } from "./http.js";

export const ONE = { error: "expected a single value" };

/** Text a person may type: any characters but control characters (a NUL breaks PostgreSQL and Temporal). */
export const text = (max = 200) =>
  z
    .string(ONE)
    .max(max, `at most ${max} characters`)
    .regex(/^[^\u0000-\u001f\u007f]*$/, "control characters are not allowed");

/** A release, variant or other name as releases define them. */
export const releaseName = z
  .string(ONE)
  .max(200, "at most 200 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "expected a release name such as Fedora-Rawhide (letters, digits and . _ + -)");

export const composeId = z
  .string(ONE)
  .max(200, "a compose id is at most 200 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "expected a compose id such as Fedora-Rawhide-20261124.n.0");

/** A whole number from 1 to max as a query string; `fallback` when absent. */
export const limit = (fallback: number, max: number) =>
  z
    .string(ONE)
    .regex(/^\d+$/, `expected a whole number from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `expected a whole number from 1 to ${max}`).max(max, `expected a whole number from 1 to ${max}`))
    .optional()
    .transform((n) => n ?? fallback);

export const required = <S extends z.ZodType<unknown, {} | null>>(schema: S, what: string) =>
  z
    .unknown()
    .refine((v) => v !== undefined, { message: `required: ${what}`, abort: true })
    .pipe(schema);

export interface ParameterProblem {
  parameter: string;
  message: string;
}

/** The problems of a query against a schema, one per parameter (unknown parameters included). */
export function queryProblems(error: z.ZodError): ParameterProblem[] {
  return error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ parameter: key, message: "unknown parameter" }))
      : [{ parameter: issue.path.join(".") || "(query)", message: issue.message }],
  );
}

/** URLSearchParams as a plain object: a repeated parameter becomes an array, a blank one is absent (as forms send untouched fields). */
export function queryObject(query: URLSearchParams): Record<string, string | string[]> {
  const raw: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key).filter((v) => v !== "");
    if (values.length > 0) raw[key] = values.length === 1 ? values[0]! : values;
  }
  return raw;
}

/**
 * Parses a query with a schema (a repeated parameter is an array, which a single-valued one then
 * rejects); a failure is a 400 whose details name each parameter.
 */
export function parseQuery<S extends z.ZodType>(schema: S, query: URLSearchParams): z.output<S> {
  const parsed = schema.safeParse(queryObject(query));
  if (parsed.success) return parsed.data;
  const details = queryProblems(parsed.error);
  throw new HttpError(400, `invalid query: ${details.map((d) => `${d.parameter}: ${d.message}`).join("; ")}`, details);
}
