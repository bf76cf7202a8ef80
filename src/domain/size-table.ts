// `relengotron sizes` as a terminal table: one row per image identity with its latest size and how
// it moved over the selected window. Pure, so the CLI and tests format the same rows.
import { formatBytes, formatBytesDelta } from "./format-bytes.js";
import { sizeTrends, type SizeIdentity, type SizeSeries } from "./size-history.js";

export interface SizeTableRow {
  identity: SizeIdentity;
  /** size in the newest compose of the window */
  latest: number;
  /** first to last point; undefined when the window holds a single compose (no change to tell) */
  delta?: number;
  deltaPercent?: number;
  composes: number;
}

export function sizeTableRows(series: readonly SizeSeries[]): SizeTableRow[] {
  return series
    .filter((s) => s.points.length > 0)
    .map((s) => {
      const last = s.points.at(-1)!;
      // sizeTrends is where first-to-last change is defined (and how a zero start is handled).
      const trend = sizeTrends([s])[0];
      return { identity: s.identity, latest: last.size, delta: trend?.delta, deltaPercent: trend?.deltaPercent, composes: s.points.length };
    });
}

/** "+4.2%", "-0.5%", "0.0%": the sign follows the byte change, so an unchanged size never reads "+0.0%". */
export function formatPercentDelta(delta: number, percent: number): string {
  if (delta === 0) return "0.0%";
  return `${delta > 0 ? "+" : "-"}${Math.abs(percent).toFixed(1)}%`;
}

const COLUMNS = ["release", "variant", "subvariant", "type", "format", "arch", "latest", "change", "change %", "composes"] as const;
/** Numbers line up on the right, names on the left. */
const RIGHT = new Set<string>(["latest", "change", "change %", "composes"]);

export function formatSizeTable(series: readonly SizeSeries[]): string {
  const rows = sizeTableRows(series);
  if (rows.length === 0) return "no images match";
  const cells = rows.map((r) => [
    r.identity.release,
    r.identity.variant,
    r.identity.subvariant,
    r.identity.type,
    r.identity.format,
    r.identity.arch,
    formatBytes(r.latest),
    r.delta === undefined ? "-" : formatBytesDelta(r.delta),
    r.delta === undefined ? "-" : formatPercentDelta(r.delta, r.deltaPercent!),
    String(r.composes),
  ]);
  const widths = COLUMNS.map((name, i) => Math.max(name.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (RIGHT.has(COLUMNS[i]!) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(COLUMNS), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}
