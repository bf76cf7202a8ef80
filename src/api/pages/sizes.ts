// Sizes: one chart per image identity over time (uPlot, drawn by /assets/sizes-chart.js from
// /api/v1/sizes), the biggest growers and shrinkers over the window, and per image a table of its
// points with links to the attribution, so the page reads without JavaScript too.
import type { SizeQuery } from "../../composedb/queries.js";
import { identityLabel, type SizeSeries, type SizeTrend } from "../../domain/size-history.js";
import { composeDate, formatBytes, formatBytesDelta } from "./format.js";
import { html, queryString, raw, type Html } from "./html.js";
import { page } from "./layout.js";
import { composeLink } from "./overview.js";

export type SizesPageQuery = SizeQuery & { limit: number };

const FIELDS = ["release", "variant", "subvariant", "type", "format", "arch", "from", "to"] as const;

function form(q: SizesPageQuery, releases: string[]): Html {
  return html`<form class="filters" method="get" action="/sizes">
<label>Release <select name="release"><option value="">any</option>${releases.map((r) => html`<option${r === q.release ? html` selected` : ""}>${r}</option>`)}</select></label>
${(["variant", "subvariant", "type", "format", "arch"] as const).map((f) => html`<label>${f} <input name="${f}" size="12" value="${q[f] ?? ""}"></label>`)}
<label>from (YYYYMMDD) <input name="from" size="9" pattern="\\d{8}" value="${q.from ?? ""}"></label>
<label>to <input name="to" size="9" pattern="\\d{8}" value="${q.to ?? ""}"></label>
<label>growers shown <input name="limit" type="number" min="1" max="1000" value="${q.limit}"></label>
<button type="submit">Show</button></form>`;
}

function trendTable(title: string, trends: SizeTrend[], cls: string): Html {
  return html`<div class="card"><h3>${title}</h3>${
    trends.length
      ? html`<table class="${cls}"><thead><tr><th>Image</th><th>From</th><th>To</th><th class="num">Δ</th><th class="num">%</th></tr></thead><tbody>
${trends.map((t) => html`<tr><td><a href="#${chartId(t.identity)}">${identityLabel(t.identity)}</a></td><td>${composeLink(t.from.composeId)}</td><td>${composeLink(t.to.composeId)}</td><td class="num">${formatBytesDelta(t.delta)}</td><td class="num">${t.deltaPercent.toFixed(1)}</td></tr>`)}
</tbody></table>`
      : html`<p class="muted">none in this window</p>`
  }</div>`;
}

const chartId = (id: SizeSeries["identity"]) => `size-${identityLabel(id).replace(/[^A-Za-z0-9_-]/g, "_")}`;

function seriesBlock(s: SizeSeries): Html {
  const label = identityLabel(s.identity);
  return html`<section class="chart" id="${chartId(s.identity)}" data-series="${label}"><h3>${label}</h3>
<div class="chart-body"></div>
<details><summary>points (${s.points.length})</summary><table class="points"><thead><tr><th>Compose</th><th>Date</th><th class="num">Size</th><th class="num">Δ</th><th></th></tr></thead><tbody>
${s.points.map((p, i) => {
    const prev = s.points[i - 1];
    return html`<tr><td>${composeLink(p.composeId)}</td><td>${composeDate(p.date)}</td><td class="num" title="${p.size} bytes">${formatBytes(p.size)}</td><td class="num">${prev ? formatBytesDelta(p.size - prev.size) : ""}</td>
<td>${prev ? html`<a href="/api/v1/sizes/explain${queryString({ variant: s.identity.variant, arch: s.identity.arch, from: prev.composeId, to: p.composeId })}">why</a>` : ""}</td></tr>`;
  })}
</tbody></table></details></section>`;
}

export function renderSizes(q: SizesPageQuery, series: SizeSeries[], trends: { growers: SizeTrend[]; shrinkers: SizeTrend[] }, releases: string[]): string {
  const filters = Object.fromEntries(FIELDS.map((f) => [f, q[f]]));
  const body = html`<h1>Image sizes</h1>
${form(q, releases)}
<p class="small muted">${series.length} images · <a href="/api/v1/sizes.csv${queryString(filters)}">CSV</a> · <a href="/api/v1/sizes${queryString({ ...filters, limit: q.limit })}">JSON</a></p>
<div class="cards">${trendTable("Growers", trends.growers, "growers")}${trendTable("Shrinkers", trends.shrinkers, "shrinkers")}</div>
${series.length === 0 ? html`<p class="muted">no image matches</p>` : ""}
${series.map(seriesBlock)}`;
  const head = raw(`<link rel="stylesheet" href="/assets/uplot.min.css"><script src="/assets/uplot.min.js" defer></script><script src="/assets/sizes-chart.js" defer></script>`);
  return page("sizes", "Sizes", body, head);
}
