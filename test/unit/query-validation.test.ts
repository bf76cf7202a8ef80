// Query parameters and visibility queries: what a person types is validated with zod, and what
// reaches Temporal's query language is a quoted literal or refused — never pasted in.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { HttpError } from "../../src/api/http.js";
import { listSchema } from "../../src/api/pipelines.js";
import { parseQuery, text } from "../../src/api/query.js";
import { visibilityEquals, visibilityString, VisibilityQueryValueError } from "../../src/temporal/visibility-query.js";

const problems = (schema: z.ZodType, qs: string) => {
  try {
    parseQuery(schema, new URLSearchParams(qs));
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    return (error as HttpError).details as { parameter: string; message: string }[];
  }
};

describe("visibility query literals", () => {
  it("quotes values and escapes a quote as \\'", () => {
    expect(visibilityString("Release", "Fedora-Rawhide")).toBe("'Fedora-Rawhide'");
    expect(visibilityString("Release", "o'brien")).toBe("'o\\'brien'");
    expect(visibilityString("Release", "' OR WorkflowType != '")).toBe("'\\' OR WorkflowType != \\''");
    expect(visibilityEquals("Release", "x")).toBe("`Release` = 'x'");
  });

  it("refuses a backslash, control characters, over-long values and odd attribute names", () => {
    for (const value of ["x\\", "x\\'", "a\u0000b", "line\nbreak", "\u007f", "x".repeat(257)]) {
      expect(() => visibilityString("Release", value), JSON.stringify(value)).toThrow(VisibilityQueryValueError);
    }
    expect(() => visibilityString("Release", "x\\")).toThrow("Release: a backslash cannot be searched for");
    expect(() => visibilityEquals("Release` = 'x' OR `a", "x")).toThrow(VisibilityQueryValueError);
  });
});

describe("GET /api/v1/pipelines query", () => {
  it("accepts a release, a stage and a limit", () => {
    expect(parseQuery(listSchema, new URLSearchParams("release=Fedora-Rawhide&stage=awaiting-signoff&limit=7"))).toEqual({
      release: "Fedora-Rawhide",
      stage: "awaiting-signoff",
      limit: 7,
    });
    expect(parseQuery(listSchema, new URLSearchParams(""))).toEqual({ limit: 50 });
  });

  it("400 naming release for a backslash or a quote, stage for a NUL, limit out of range, unknown parameters", () => {
    expect(problems(listSchema, "release=x%5C")).toEqual([{ parameter: "release", message: expect.stringContaining("release name") }]);
    expect(problems(listSchema, "release=o'b")[0]!.parameter).toBe("release");
    expect(problems(listSchema, "stage=awaiting-signoff%00")).toEqual([{ parameter: "stage", message: expect.stringContaining("awaiting-signoff") }]);
    expect(problems(listSchema, "limit=501")).toEqual([{ parameter: "limit", message: "expected a whole number from 1 to 500" }]);
    expect(problems(listSchema, "limit=ten")[0]!.parameter).toBe("limit");
    expect(problems(listSchema, "relase=x")).toEqual([{ parameter: "relase", message: "unknown parameter" }]);
    expect(problems(listSchema, "release=a&release=b")).toEqual([{ parameter: "release", message: "expected a single value" }]);
  });
});

describe("free text parameters", () => {
  const schema = z.strictObject({ variant: text(200).optional() });
  it("refuse control characters (a NUL breaks PostgreSQL) and over-long values, naming the parameter", () => {
    expect(problems(schema, "variant=Work%00station")).toEqual([{ parameter: "variant", message: "control characters are not allowed" }]);
    expect(problems(schema, `variant=${"x".repeat(201)}`)).toEqual([{ parameter: "variant", message: "at most 200 characters" }]);
    expect(parseQuery(schema, new URLSearchParams("variant=Workstation%20%C3%A9"))).toEqual({ variant: "Workstation é" });
  });
});
