// HTML built by a tagged template that escapes every interpolated value: only Html values (made
// by `html` itself or `raw` for trusted constants) pass through unescaped. Pages cannot forget
// to escape what composedb or a query string holds.
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return "";
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return (part as readonly Part[]).map(render).join("");
  return escapeHtml(String(part));
}

export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0]!;
  parts.forEach((part, i) => (out += render(part) + strings[i + 1]!));
  return new Html(out);
}

/** Trusted markup (constants of this code base only). */
export const raw = (markup: string): Html => new Html(markup);

/** JSON for a <script type="application/json"> block: `<` escaped so no value can close the element. */
export function jsonScript(id: string, value: unknown): Html {
  const body = JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
  return new Html(`<script type="application/json" id="${escapeHtml(id)}">${body}</script>`);
}

/** A query string from the defined values, for links that keep a page's filters. */
export function queryString(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
