// How pages write times and sizes: absolute times in UTC with the age beside them.
import { formatBytes, formatBytesDelta } from "../../domain/format-bytes.js";
import { html, type Html } from "./html.js";

export { formatBytes, formatBytesDelta };

/** "3 d 4 h", "25 min", "40 s": the two largest units of a duration. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const units: [string, number][] = [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]];
  const first = units.findIndex(([, size]) => s >= size);
  if (first === -1) return "0 s";
  const [name, size] = units[first]!;
  const next = units[first + 1];
  const rest = next ? Math.floor((s % size) / next[1]) : 0;
  return rest > 0 && next ? `${Math.floor(s / size)} ${name} ${rest} ${next[0]}` : `${Math.floor(s / size)} ${name}`;
}

export function ago(iso: string | null | undefined, now: Date): string {
  if (!iso) return "";
  const ms = now.getTime() - new Date(iso).getTime();
  return ms >= 0 ? `${formatDuration(ms)} ago` : `in ${formatDuration(-ms)}`;
}

/** `2026-12-04 03:20 UTC (2 h 5 min ago)` in a <time> element. */
export function when(iso: string | null | undefined, now: Date): Html {
  if (!iso) return html`<span class="muted">never</span>`;
  const text = iso.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, " UTC");
  return html`<time datetime="${iso}">${text}</time> <span class="muted">(${ago(iso, now)})</span>`;
}

/** YYYYMMDD as YYYY-MM-DD. */
export const composeDate = (d: string) => (/^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : d);
