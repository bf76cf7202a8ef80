// Diff of two composes: source packages added, removed, upgraded and downgraded with their EVRs,
// images added, removed and changed with size deltas, then the same per variant and arch. The
// page's URL (/diff?from=A&to=B) is the link to share.
import type { ComposeListItem } from "../../composedb/queries.js";
import type { ComposeDiff } from "../../domain/compose-diff.js";
import type { ComposeImage } from "../../domain/compose-content.js";
import type { PackageChanges } from "../../domain/package-diff.js";
import { formatBytes, formatBytesDelta } from "./format.js";
import { html, queryString, type Html } from "./html.js";
import { page } from "./layout.js";
import { composeLink } from "./overview.js";

export function diffForm(recent: ComposeListItem[], from?: string, to?: string): Html {
  return html`<form class="filters" method="get" action="/diff">
<label>From <input name="from" list="composes" size="34" value="${from ?? ""}" required></label>
<label>To <input name="to" list="composes" size="34" value="${to ?? ""}" required></label>
<datalist id="composes">${recent.map((c) => html`<option value="${c.composeId}">`)}</datalist>
<button type="submit">Diff</button>
${from && to ? html`<a href="/diff${queryString({ from: to, to: from })}">swap</a>` : ""}
</form>`;
}

function packageTables(p: PackageChanges, cls: string): Html {
  const section = (title: string, rows: Html[], head: Html) =>
    rows.length ? html`<h3>${title} (${rows.length})</h3><table class="${cls} ${title.toLowerCase()}"><thead>${head}</thead><tbody>${rows}</tbody></table>` : "";
  return html`${section("Added", p.added.map((x) => html`<tr><td>${x.name}</td><td class="mono ok">${x.to}</td></tr>`), html`<tr><th>Package</th><th>EVR</th></tr>`)}
${section("Removed", p.removed.map((x) => html`<tr><td>${x.name}</td><td class="mono bad">${x.from}</td></tr>`), html`<tr><th>Package</th><th>EVR</th></tr>`)}
${section("Upgraded", p.upgraded.map((x) => html`<tr><td>${x.name}</td><td class="mono">${x.from}</td><td>→</td><td class="mono ok">${x.to}</td></tr>`), html`<tr><th>Package</th><th>from</th><th></th><th>to</th></tr>`)}
${section("Downgraded", p.downgraded.map((x) => html`<tr><td>${x.name}</td><td class="mono">${x.from}</td><td>→</td><td class="mono bad">${x.to}</td></tr>`), html`<tr><th>Package</th><th>from</th><th></th><th>to</th></tr>`)}`;
}

const imageName = (i: Pick<ComposeImage, "variant" | "arch" | "subvariant" | "type" | "format" | "discNumber">) =>
  `${i.variant}/${i.arch} ${i.subvariant} ${i.type}.${i.format}${i.discNumber > 1 ? ` disc ${i.discNumber}` : ""}`;

function imageTables(d: ComposeDiff): Html {
  const { added, removed, changed } = d.images;
  if (added.length + removed.length + changed.length === 0) return html`<p class="muted">no image changed</p>`;
  return html`<table class="images-diff"><thead><tr><th>Image</th><th>Change</th><th class="num">Before</th><th class="num">After</th><th class="num">Δ size</th><th>Checksum</th></tr></thead><tbody>
${added.map((i) => html`<tr><td>${imageName(i)}</td><td class="ok">added</td><td></td><td class="num">${formatBytes(i.size)}</td><td class="num">${formatBytesDelta(i.size)}</td><td></td></tr>`)}
${removed.map((i) => html`<tr><td>${imageName(i)}</td><td class="bad">removed</td><td class="num">${formatBytes(i.size)}</td><td></td><td class="num">${formatBytesDelta(-i.size)}</td><td></td></tr>`)}
${changed.map(
    (c) => html`<tr><td>${imageName(c)}</td><td>${c.checksumChanged || c.sizeDelta !== 0 ? "changed" : html`<span class="muted">same content, new path</span>`}</td><td class="num">${formatBytes(c.from.size)}</td><td class="num">${formatBytes(c.to.size)}</td>
<td class="num ${c.sizeDelta > 0 ? "bad" : c.sizeDelta < 0 ? "ok" : ""}" title="${c.sizeDelta} bytes">${formatBytesDelta(c.sizeDelta)}</td><td>${c.checksumChanged ? "changed" : "same"}</td></tr>`,
  )}
</tbody></table>`;
}

export function renderDiff(d: ComposeDiff, recent: ComposeListItem[]): string {
  const p = d.packages;
  const url = `/diff${queryString({ from: d.from, to: d.to })}`;
  const body = html`<h1>Diff ${d.from} → ${d.to}</h1>
${diffForm(recent, d.from, d.to)}
<p>${composeLink(d.from)} → ${composeLink(d.to)} · <a class="share" href="${url}">link to this diff</a> · <a href="/api/v1/diff${queryString({ from: d.from, to: d.to })}">JSON</a></p>
<table class="diff-summary"><tbody><tr>
<td><b>${p.added.length}</b> added</td><td><b>${p.removed.length}</b> removed</td><td><b>${p.upgraded.length}</b> upgraded</td><td><b>${p.downgraded.length}</b> downgraded</td>
<td><b>${d.rpms.added.length}</b> / <b>${d.rpms.removed.length}</b> binary RPMs added / removed</td>
<td><b>${d.images.added.length + d.images.removed.length + d.images.changed.length}</b> images changed</td></tr></tbody></table>
<h2>Images</h2>
${imageTables(d)}
<h2>Source packages</h2>
${p.added.length + p.removed.length + p.upgraded.length + p.downgraded.length ? packageTables(p, "packages") : html`<p class="muted">no source package changed</p>`}
<h2>Per variant and arch</h2>
${d.byVariantArch.length === 0 ? html`<p class="muted">nothing changed in any variant</p>` : ""}
${d.byVariantArch.map(
    (v) => html`<details class="variant-arch-diff"><summary><b>${v.variant}/${v.arch}</b>: ${v.packages.added.length} added, ${v.packages.removed.length} removed, ${v.packages.upgraded.length} upgraded, ${v.packages.downgraded.length} downgraded; ${v.rpms.added.length} / ${v.rpms.removed.length} RPMs added / removed</summary>
${packageTables(v.packages, "packages")}
${v.rpms.added.length ? html`<h3>RPMs added</h3><p class="mono small">${v.rpms.added.map((n) => html`${n}<br>`)}</p>` : ""}
${v.rpms.removed.length ? html`<h3>RPMs removed</h3><p class="mono small">${v.rpms.removed.map((n) => html`${n}<br>`)}</p>` : ""}
</details>`,
  )}`;
  return page("diff", `Diff ${d.from} → ${d.to}`, body);
}

export function renderDiffPicker(recent: ComposeListItem[]): string {
  return page("diff", "Diff", html`<h1>Diff two composes</h1>${diffForm(recent, recent[1]?.composeId, recent[0]?.composeId)}<p class="muted">or pick two on the <a href="/composes">compose list</a></p>`);
}
