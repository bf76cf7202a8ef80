// The `compose` section every productmd file carries, in its two historical shapes.
import { z } from "zod";
import { COMPOSE_TYPES, COMPOSE_TYPE_SUFFIXES, LABEL_NAMES } from "./constants.js";
import { ProductmdError, formatJsonPath, parseWith, type JsonPath } from "./errors.js";
import { cmpVersion, type Version } from "./header.js";
import { COMPOSE_DATE_RE, COMPOSE_ID_RE, type ComposeSection } from "./model.js";

const LABEL_RES = LABEL_NAMES.map((name) => new RegExp(`^${name}-\\d+\\.\\d+$`));

const IdSchema = z.string().min(1).regex(COMPOSE_ID_RE);
const LabelSchema = z
  .string()
  .nullable()
  .optional()
  .refine((l) => !l || LABEL_RES.some((re) => re.test(l)), { message: `label must be <${LABEL_NAMES.join("|")}>-<major>.<minor>` });

/** Headers before 0.3: date, type and respin are not stored but derived from the compose id. */
export const ComposeSectionLegacySchema = z.object({
  id: IdSchema,
  label: LabelSchema,
  final: z.boolean().optional(),
});

/** Headers 0.3 and later. */
export const ComposeSectionV1_0Schema = z.object({
  id: IdSchema,
  date: z.string().regex(COMPOSE_DATE_RE),
  respin: z.number().int().nonnegative(),
  type: z.enum(COMPOSE_TYPES),
  label: LabelSchema,
  final: z.boolean().optional(),
});

/** productmd's get_date_type_respin, same greedy regex. */
function dateTypeRespinFromId(id: string): { date: string; type: string; respin: number } | { error: string } | null {
  const m = /^.*(\d{8})(\.[a-z]+)?(?:\.(\d+))?/.exec(id);
  if (!m) return null;
  const suffix = m[2];
  const type = suffix ? COMPOSE_TYPE_SUFFIXES[suffix.slice(1)] : "production";
  if (!type) return { error: `unknown compose type suffix ${JSON.stringify(suffix)} in compose id ${JSON.stringify(id)}` };
  return { date: m[1]!, type, respin: m[3] === undefined ? 0 : Number(m[3]) };
}

export function readComposeSection(raw: unknown, version: Version, file: string, path: JsonPath): ComposeSection {
  if (cmpVersion(version, [0, 3]) < 0) {
    const legacy = parseWith(ComposeSectionLegacySchema, raw, file, path);
    const derived = dateTypeRespinFromId(legacy.id);
    if (!derived || "error" in derived) {
      throw new ProductmdError(
        file,
        formatJsonPath([...path, "id"]),
        derived ? derived.error : `cannot derive date/type/respin from compose id ${JSON.stringify(legacy.id)}`,
      );
    }
    return {
      id: legacy.id,
      date: derived.date,
      respin: derived.respin,
      type: derived.type as ComposeSection["type"],
      label: legacy.label || null,
      final: legacy.final ?? false,
    };
  }
  const c = parseWith(ComposeSectionV1_0Schema, raw, file, path);
  return { id: c.id, date: c.date, respin: c.respin, type: c.type, label: c.label || null, final: c.final ?? false };
}

/** The section as productmd writes it: label and final only when there is a label. */
export function composeSectionJson(c: ComposeSection): Record<string, unknown> {
  const out: Record<string, unknown> = { date: c.date, id: c.id, respin: c.respin, type: c.type };
  if (c.label) {
    out.final = c.final;
    out.label = c.label;
  }
  return out;
}
