// Composes: the list with filters (and a pick of two to diff, a plain form), and one compose in
// detail: variants × arches with package and image counts, every image with size and checksums.
import type { ComposeDetail, ComposeImageRow, ComposeListItem } from "../../composedb/queries.js";
import { ComposeStatus, ComposeType } from "../../generated/prisma/enums.js";
import { composeDate, formatBytes, when } from "./format.js";
import { html, queryString, type Html } from "./html.js";
import { page } from "./layout.js";
import { composeLink } from "./overview.js";

export interface ComposeFilters {
  release?: string;
  type?: string;
  status?: string;
  limit: number;
}

const select = (name: string, values: readonly string[], current?: string) =>
  html`<select name="${name}"><option value="">any</option>${values.map((v) => html`<option${v === current ? html` selected` : ""}>${v}</option>`)}</select>`;

export function renderComposeList(composes: ComposeListItem[], releases: string[], f: ComposeFilters, now: Date): string {
  const body = html`<h1>Composes</h1>
<form class="filters" method="get" action="/composes">
<label>Release ${select("release", releases, f.release)}</label>
<label>Type ${select("type", Object.values(ComposeType), f.type)}</label>
<label>Status ${select("status", Object.values(ComposeStatus), f.status)}</label>
<label>Show <input name="limit" type="number" min="1" max="1000" value="${f.limit}"></label>
<button type="submit">Filter</button>
</form>
<form method="get" action="/diff">
<p class="small muted">Pick two composes to compare (from, to), then <button type="submit">Diff</button></p>
<table class="composes"><thead><tr><th>from</th><th>to</th><th>Compose</th><th>Release</th><th>Date</th><th>Type</th><th>Status</th><th>Finished</th><th></th></tr></thead><tbody>
${composes.map(
    (c, i) => html`<tr><td><input type="radio" name="from" value="${c.composeId}" aria-label="diff from ${c.composeId}"${i === 1 ? html` checked` : ""}></td>
<td><input type="radio" name="to" value="${c.composeId}" aria-label="diff to ${c.composeId}"${i === 0 ? html` checked` : ""}></td>
<td>${composeLink(c.composeId)}</td><td>${c.release}</td><td>${composeDate(c.date)}</td><td>${c.type}</td><td>${c.status ?? ""}</td><td>${when(c.finishedAt, now)}</td>
<td><a href="/arches${queryString({ compose: c.composeId })}">arches</a></td></tr>`,
  )}
${composes.length === 0 ? html`<tr><td colspan="9" class="muted">no compose matches</td></tr>` : ""}
</tbody></table></form>`;
  return page("composes", "Composes", body);
}

/** Rows: variants; columns: every arch of the compose; cells: binary RPMs and images there. */
function variantArchMatrix(d: ComposeDetail, images: ComposeImageRow[]): Html {
  const arches = [...new Set([...d.variants.flatMap((v) => v.arches), ...d.rpmSets.map((s) => s.arch)])].sort();
  const count = (variant: string, arch: string, category: string) => d.rpmSets.find((s) => s.variant === variant && s.arch === arch && s.category === category)?.rpms;
  return html`<table class="variant-arch"><thead><tr><th>Variant</th>${arches.map((a) => html`<th>${a}</th>`)}</tr></thead><tbody>
${d.variants.map(
    (v) => html`<tr><th>${v.uid}${v.parent ? html` <span class="small muted">(in ${v.parent})</span>` : ""}</th>${arches.map((a) => {
      if (!v.arches.includes(a)) return html`<td class="absent">—</td>`;
      const binary = count(v.uid, a, "binary") ?? 0;
      const source = count(v.uid, a, "source") ?? 0;
      const debug = count(v.uid, a, "debug") ?? 0;
      const imgs = images.filter((i) => i.variant === v.uid && i.arch === a).length;
      const empty = binary + source + debug + imgs === 0;
      return html`<td class="${empty ? "missing" : ""}">${empty ? "empty" : html`${binary} binary · ${source} source${debug ? html` · ${debug} debug` : ""}<br>${imgs} images`}</td>`;
    })}</tr>`,
  )}
</tbody></table>`;
}

export function renderComposeDetail(d: ComposeDetail, images: ComposeImageRow[], now: Date): string {
  const body = html`<h1>${d.composeId}</h1>
<table><tbody>
<tr><th>Release</th><td>${d.release}</td></tr><tr><th>Date, type, respin</th><td>${composeDate(d.date)} · ${d.type} · ${d.respin}${d.label ? html` · ${d.label}` : ""}</td></tr>
<tr><th>Status</th><td>${d.status ?? "none"}</td></tr>
<tr><th>Started / finished</th><td>${when(d.startedAt, now)} / ${when(d.finishedAt, now)}</td></tr>
<tr><th>Ingested</th><td>${when(d.ingestedAt, now)}${d.location ? html` from <code>${d.location}</code>` : ""}</td></tr>
<tr><th>Packages</th><td>${d.rpmEntries} RPM entries in ${d.rpmSets.length} sets · ${d.images} images</td></tr>
</tbody></table>
<p><a href="/arches${queryString({ compose: d.composeId })}">arch matrix</a> · <a href="/sizes${queryString({ release: d.release })}">sizes of ${d.release}</a> · <a href="/composes${queryString({ release: d.release })}">other composes of ${d.release}</a></p>
<h2>Variants × arches</h2>
${variantArchMatrix(d, images)}
<h2>Images</h2>
<table class="images"><thead><tr><th>Variant</th><th>Arch</th><th>Subvariant</th><th>Type.format</th><th>Path</th><th class="num">Size</th><th>Checksums</th></tr></thead><tbody>
${images.map(
    (i) => html`<tr><td>${i.variant}</td><td>${i.imageArch}</td><td>${i.subvariant}</td><td>${i.type}.${i.format}${i.discNumber > 1 ? html` disc ${i.discNumber}` : ""}</td>
<td class="mono">${i.path}</td><td class="num" title="${i.size} bytes">${formatBytes(i.size)}</td>
<td class="mono small">${Object.entries(i.checksums).map(([algo, sum]) => html`${algo}:${sum}<br>`)}</td></tr>`,
  )}
${images.length === 0 ? html`<tr><td colspan="7" class="muted">no images</td></tr>` : ""}
</tbody></table>`;
  return page("composes", d.composeId, body);
}
