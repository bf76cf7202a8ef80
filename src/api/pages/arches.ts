// Arches as a matrix: variants × arches, each cell saying what that arch lacks that others in the
// variant have (source packages, binary packages, images) and how many packages differ in version;
// below, per variant, what exactly is missing where and the version skew.
import type { ComposeListItem } from "../../composedb/queries.js";
import type { ArchComparison, NamedPresence, VariantArchComparison } from "../../domain/arch-compare.js";
import { compareEvr, parseEvr } from "../../domain/evr.js";
import { html, queryString, type Html } from "./html.js";
import { page } from "./layout.js";
import { composeLink } from "./overview.js";

const ROWS_SHOWN = 300;

export interface ArchesQuery {
  compose: string;
  vs?: string;
  arch?: string[];
}

export function archesForm(recent: ComposeListItem[], q?: Partial<ArchesQuery>): Html {
  return html`<form class="filters" method="get" action="/arches">
<label>Compose <input name="compose" list="composes" size="34" value="${q?.compose ?? ""}" required></label>
<label>vs a secondary-arch compose (optional) <input name="vs" list="composes" size="34" value="${q?.vs ?? ""}"></label>
<label>Only these arches (optional) <input name="arch" size="24" placeholder="x86_64,aarch64" value="${q?.arch?.join(",") ?? ""}"></label>
<datalist id="composes">${recent.map((c) => html`<option value="${c.composeId}">`)}</datalist>
<button type="submit">Compare</button></form>`;
}

const newerEvr = (a: string, b: string) => {
  try {
    return compareEvr(parseEvr(a), parseEvr(b)) >= 0;
  } catch {
    return a >= b;
  }
};

const anchor = (variant: string) => `variant-${variant.replace(/[^A-Za-z0-9_-]/g, "_")}`;

interface CellCount {
  sources: number;
  binaries: number;
  images: number;
  skew: number;
}

export function missingOn(v: VariantArchComparison, label: string): CellCount {
  const count = (list: { missingOn: string[] }[]) => list.filter((x) => x.missingOn.includes(label)).length;
  const skew = v.versionSkew.filter((s) => {
    const here = s.evrs.find((e) => e.arch === label);
    return here && s.evrs.some((e) => e.evr !== here.evr);
  }).length;
  return { sources: count(v.sourcePackages), binaries: count(v.binaryPackages), images: count(v.images), skew };
}

function summaryCell(v: VariantArchComparison, label: string): Html {
  if (v.absentArches.includes(label)) return html`<td class="missing" data-arch="${label}">absent: no RPMs, no images</td>`;
  if (!v.arches.includes(label)) return html`<td class="absent" data-arch="${label}">—</td>`;
  const c = missingOn(v, label);
  const parts = [
    c.sources && `${c.sources} source pkgs`,
    c.binaries && `${c.binaries} binary pkgs`,
    c.images && `${c.images} images`,
  ].filter(Boolean);
  if (parts.length === 0 && c.skew === 0) return html`<td class="present" data-arch="${label}">✓ complete</td>`;
  return html`<td class="${parts.length ? "missing" : ""}" data-arch="${label}"><a href="#${anchor(v.variant)}">${parts.length ? html`missing ${parts.join(", ")}` : ""}${parts.length && c.skew ? html`<br>` : ""}${c.skew ? html`<span class="warn">${c.skew} version skew</span>` : ""}</a></td>`;
}

function presenceTable(title: string, items: (NamedPresence | { name?: undefined; subvariant: string; type: string; format: string; presentOn: string[]; missingOn: string[] })[], labels: string[]): Html | "" {
  if (items.length === 0) return "";
  const shown = items.slice(0, ROWS_SHOWN);
  return html`<details class="presence"${title === "Images" ? html` open` : ""}><summary><b>${title} missing somewhere (${items.length})</b></summary>
<table class="presence"><thead><tr><th>${title}</th>${labels.map((l) => html`<th>${l}</th>`)}</tr></thead><tbody>
${shown.map(
    (x) => html`<tr><td>${x.name ?? `${x.subvariant} ${x.type}.${x.format}`}</td>${labels.map((l) =>
      x.presentOn.includes(l) ? html`<td class="present">✓</td>` : x.missingOn.includes(l) ? html`<td class="missing">✗</td>` : html`<td class="absent">—</td>`,
    )}</tr>`,
  )}
</tbody></table>${items.length > shown.length ? html`<p class="muted">and ${items.length - shown.length} more (see the JSON)</p>` : ""}</details>`;
}

function variantDetail(v: VariantArchComparison): Html {
  const labels = v.arches;
  const clean = v.sourcePackages.length + v.binaryPackages.length + v.images.length + v.versionSkew.length === 0;
  return html`<section class="variant-detail" id="${anchor(v.variant)}"><h2>${v.variant} <span class="small muted">${labels.join(", ")}</span></h2>
${v.absentArches.length ? html`<p class="bad">absent on ${v.absentArches.join(", ")}: no RPMs and no images</p>` : ""}
${clean ? html`<p class="ok">every arch has the same packages and images at the same versions</p>` : ""}
${presenceTable("Images", v.images, labels)}
${presenceTable("Source packages", v.sourcePackages, labels)}
${presenceTable("Binary packages", v.binaryPackages, labels)}
${v.versionSkew.length
    ? html`<details class="skew" open><summary><b>Version skew (${v.versionSkew.length})</b></summary><table class="skew"><thead><tr><th>Source package</th>${labels.map((l) => html`<th>${l}</th>`)}</tr></thead><tbody>
${v.versionSkew.slice(0, ROWS_SHOWN).map((s) => {
        const evrs = new Map(s.evrs.map((e) => [e.arch, e.evr]));
        const newest = s.evrs.map((e) => e.evr).reduce((a, b) => (newerEvr(a, b) ? a : b));
        return html`<tr><td>${s.name}</td>${labels.map((l) => {
          const evr = evrs.get(l);
          return evr ? html`<td class="mono ${evr === newest ? "" : "warn"}">${evr}</td>` : html`<td class="absent">—</td>`;
        })}</tr>`;
      })}</tbody></table></details>`
    : ""}
</section>`;
}

export function renderArches(cmp: ArchComparison, q: ArchesQuery, recent: ComposeListItem[]): string {
  const labels = cmp.columns.map((c) => c.label);
  const body = html`<h1>Arches of ${cmp.composeIds.join(" vs ")}</h1>
${archesForm(recent, q)}
<p>${cmp.composeIds.map((id) => composeLink(id))} · <a href="/api/v1/arches${queryString({ compose: q.compose, vs: q.vs, arch: q.arch?.join(",") })}">JSON</a></p>
<p class="small muted">A cell names what that arch lacks that another arch of the same variant has; ✓ complete when nothing. Click a cell for the list.</p>
<table class="arch-matrix"><thead><tr><th>Variant</th>${cmp.columns.map((c) => html`<th title="${c.composeId}">${c.label}</th>`)}</tr></thead><tbody>
${cmp.variants.map((v) => html`<tr data-variant="${v.variant}"><th><a href="#${anchor(v.variant)}">${v.variant}</a></th>${labels.map((l) => summaryCell(v, l))}</tr>`)}
</tbody></table>
${cmp.variants.map(variantDetail)}`;
  return page("arches", `Arches of ${cmp.composeIds.join(" vs ")}`, body);
}

export function renderArchesPicker(recent: ComposeListItem[]): string {
  return page("arches", "Arches", html`<h1>Arch matrix</h1>${archesForm(recent, { compose: recent[0]?.composeId })}<p class="muted">Compare the arches of one compose, or a primary compose with a secondary-arch compose.</p>`);
}
