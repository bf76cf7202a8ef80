// How image sizes move across composes: series per image identity, the biggest growers and
// shrinkers over a window, CSV, and an SVG plot a release engineer can paste into a ticket.
import { formatBytes, formatBytesDelta } from "./format-bytes.js";

/** Which image a size series follows. The release is part of it: Fedora-42's and Rawhide's Workstation live ISOs are different images. */
export interface SizeIdentity {
  release: string;
  variant: string;
  subvariant: string;
  type: string;
  format: string;
  arch: string;
}

export interface SizePoint {
  composeId: string;
  /** compose date YYYYMMDD */
  date: string;
  respin: number;
  size: number;
}

export interface SizeSeries {
  identity: SizeIdentity;
  /** oldest first */
  points: SizePoint[];
}

export interface SizeTrend {
  identity: SizeIdentity;
  from: SizePoint;
  to: SizePoint;
  delta: number;
  /** relative to `from`, in percent */
  deltaPercent: number;
}

export function identityLabel(id: SizeIdentity): string {
  return `${id.release}/${id.variant}/${id.subvariant}/${id.type}.${id.format}/${id.arch}`;
}

export function identityKey(id: SizeIdentity): string {
  return [id.release, id.variant, id.subvariant, id.type, id.format, id.arch].join("\u0000");
}

/** Order of composes: by date, then respin. */
export function comparePoints(a: SizePoint, b: SizePoint): number {
  return a.date === b.date ? a.respin - b.respin : a.date < b.date ? -1 : 1;
}

/** First-to-last change of every series with at least two points in the window. */
export function sizeTrends(series: readonly SizeSeries[], window: { from?: string; to?: string } = {}): SizeTrend[] {
  const trends: SizeTrend[] = [];
  for (const s of series) {
    const points = s.points.filter((p) => (!window.from || p.date >= window.from) && (!window.to || p.date <= window.to));
    if (points.length < 2) continue;
    const from = points[0]!;
    const to = points.at(-1)!;
    const delta = to.size - from.size;
    trends.push({ identity: s.identity, from, to, delta, deltaPercent: from.size === 0 ? 0 : (delta / from.size) * 100 });
  }
  return trends;
}

export function growersAndShrinkers(trends: readonly SizeTrend[], limit = 10): { growers: SizeTrend[]; shrinkers: SizeTrend[] } {
  const byLabel = (a: SizeTrend, b: SizeTrend) => (identityLabel(a.identity) < identityLabel(b.identity) ? -1 : 1);
  return {
    growers: trends.filter((t) => t.delta > 0).sort((a, b) => b.delta - a.delta || byLabel(a, b)).slice(0, limit),
    shrinkers: trends.filter((t) => t.delta < 0).sort((a, b) => a.delta - b.delta || byLabel(a, b)).slice(0, limit),
  };
}

export function formatTrendsText(result: { growers: SizeTrend[]; shrinkers: SizeTrend[] }): string {
  const line = (t: SizeTrend) =>
    `  ${identityLabel(t.identity)}: ${formatBytes(t.from.size)} (${t.from.composeId}) -> ${formatBytes(t.to.size)} (${t.to.composeId}) ${formatBytesDelta(t.delta)} (${t.deltaPercent >= 0 ? "+" : ""}${t.deltaPercent.toFixed(1)}%)`;
  return [
    `Growers (${result.growers.length}):`,
    ...(result.growers.length ? result.growers.map(line) : ["  none"]),
    `Shrinkers (${result.shrinkers.length}):`,
    ...(result.shrinkers.length ? result.shrinkers.map(line) : ["  none"]),
  ].join("\n");
}

const csvField = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replaceAll('"', '""')}"` : String(v));

export function seriesToCsv(series: readonly SizeSeries[]): string {
  const rows = [["release", "variant", "subvariant", "type", "format", "arch", "compose_id", "date", "size_bytes"].join(",")];
  for (const s of series) {
    for (const p of s.points) {
      const id = s.identity;
      rows.push([id.release, id.variant, id.subvariant, id.type, id.format, id.arch, p.composeId, p.date, p.size].map(csvField).join(","));
    }
  }
  return rows.join("\n") + "\n";
}

const xmlEscape = (s: string) => s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);

/** A line plot of one series: size (y) over composes (x), with labelled axes. */
export function renderSizePlot(series: SizeSeries, opts: { width?: number; height?: number } = {}): string {
  const width = opts.width ?? 800;
  const height = opts.height ?? 360;
  const m = { left: 90, right: 20, top: 40, bottom: 90 };
  const plotW = width - m.left - m.right;
  const plotH = height - m.top - m.bottom;
  const points = series.points;
  const sizes = points.map((p) => p.size);
  let lo = Math.min(...sizes);
  let hi = Math.max(...sizes);
  if (lo === hi) {
    lo = Math.max(0, lo - Math.max(1, lo * 0.05));
    hi = hi + Math.max(1, hi * 0.05);
  }
  const x = (i: number) => m.left + (points.length === 1 ? plotW / 2 : (i / (points.length - 1)) * plotW);
  const y = (v: number) => m.top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const ticks = 5;
  const yTicks = Array.from({ length: ticks + 1 }, (_, i) => lo + ((hi - lo) * i) / ticks);
  const labelEvery = Math.max(1, Math.ceil(points.length / 12));
  const title = `${identityLabel(series.identity)} — image size`;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<title>${xmlEscape(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${xmlEscape(title)}</text>`,
    `<line x1="${m.left}" y1="${m.top + plotH}" x2="${m.left + plotW}" y2="${m.top + plotH}" stroke="#333"/>`,
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + plotH}" stroke="#333"/>`,
    ...yTicks.map(
      (v) =>
        `<line x1="${m.left - 4}" y1="${y(v).toFixed(1)}" x2="${m.left + plotW}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>` +
        `<text x="${m.left - 8}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${xmlEscape(formatBytes(Math.round(v)))}</text>`,
    ),
    ...points
      .map((p, i) => ({ p, i }))
      .filter(({ i }) => i % labelEvery === 0 || i === points.length - 1)
      .map(
        ({ p, i }) =>
          `<text transform="translate(${x(i).toFixed(1)},${m.top + plotH + 12}) rotate(45)" text-anchor="start">${xmlEscape(p.composeId)}</text>`,
      ),
    `<polyline fill="none" stroke="#294172" stroke-width="2" points="${points.map((p, i) => `${x(i).toFixed(1)},${y(p.size).toFixed(1)}`).join(" ")}"/>`,
    ...points.map(
      (p, i) =>
        `<circle cx="${x(i).toFixed(1)}" cy="${y(p.size).toFixed(1)}" r="3" fill="#3c6eb4"><title>${xmlEscape(`${p.composeId}: ${formatBytes(p.size)} (${p.size} bytes)`)}</title></circle>`,
    ),
    `</svg>`,
  ];
  return parts.join("\n") + "\n";
}
