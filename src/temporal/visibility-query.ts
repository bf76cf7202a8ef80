// Values in Temporal visibility queries (the SQL-like language of `workflow list`). A value is a
// single-quoted string literal: a quote is escaped as \' (the parser unescapes it); a backslash is
// refused, because the visibility stores do not read \\ back as one backslash, and so are control
// characters (a NUL stalls the dev server's SQLite store). Callers validate first; this is the last
// line, so no input ever changes the query's structure.
export class VisibilityQueryValueError extends Error {
  override name = "VisibilityQueryValueError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export function visibilityString(field: string, value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new VisibilityQueryValueError(field, "control characters cannot be searched for");
  if (value.includes("\\")) throw new VisibilityQueryValueError(field, "a backslash cannot be searched for");
  if (value.length > 256) throw new VisibilityQueryValueError(field, "at most 256 characters");
  return `'${value.replaceAll("'", "\\'")}'`;
}

/** `name = 'value'`; names that are keywords of the language (`Release`) are back-quoted. */
export function visibilityEquals(name: string, value: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new VisibilityQueryValueError(name, "not a search attribute name");
  return `\`${name}\` = ${visibilityString(name, value)}`;
}
