// Overview per release: is the last nightly working and since when, what is wrong with the last
// compose, when updates were pushed (a timeline), what the mirror holds, and what runs or waits.
import type { ComposeSummary, ReleaseStatus } from "../../composedb/queries.js";
import { formatBytes, formatDuration, when } from "./format.js";
import { html, queryString, type Html } from "./html.js";
import { page } from "./layout.js";
import type { OverviewData, PipelineSummary, Push } from "./overview-data.js";

const TIMELINE_DAYS = 14;

export const composeLink = (id: string | null | undefined) => (id ? html`<a href="/composes/${encodeURIComponent(id)}">${id}</a>` : html`<span class="muted">—</span>`);
export const pipelineLink = (id: string) => html`<a href="/pipelines/${id.split("/").map(encodeURIComponent).join("/")}">${id}</a>`;

/** Why a compose does not count as a working nightly; empty when it does. */
export function notWorkingReasons(c: ComposeSummary): string[] {
  const reasons: string[] = [];
  if (c.type !== "nightly") reasons.push(`a ${c.type} compose, not a nightly`);
  if (c.status === null) reasons.push("no STATUS recorded");
  else if (c.status === "STARTED") reasons.push("still running (STARTED)");
  else if (c.status !== "FINISHED" && c.status !== "FINISHED_INCOMPLETE") reasons.push(`status ${c.status}`);
  for (const v of c.missingRequiredVariants) reasons.push(`required variant ${v} is ${c.variants.includes(v) ? "empty (no images, no RPMs)" : "missing"}`);
  return reasons;
}

function statusBadge(status: string | null): Html {
  const cls = status === "FINISHED" ? "ok" : status === "FINISHED_INCOMPLETE" || status === "STARTED" ? "warn" : "bad";
  return html`<span class="badge ${cls}">${status ?? "no status"}</span>`;
}

function composeCard(r: ReleaseStatus, now: Date): Html {
  const working = r.lastWorkingNightly;
  const last = r.lastCompose;
  const reasons = last ? notWorkingReasons(last) : [];
  return html`<div class="card">
<h3>Last working nightly</h3>
${working
    ? html`<p class="last-working">${composeLink(working.composeId)} ${statusBadge(working.status)}<br>finished ${when(working.finishedAt, now)}</p>`
    : html`<p class="bad last-working">no nightly has worked${r.requiredVariants.length ? html` (required variants: ${r.requiredVariants.join(", ")})` : ""}</p>`}
<h3>Last compose</h3>
${last
    ? html`<p class="last-compose">${composeLink(last.composeId)} ${statusBadge(last.status)} <span class="muted">finished ${when(last.finishedAt, now)}</span></p>
${last.composeId === working?.composeId
        ? html`<p class="ok">working: this is the last working nightly</p>`
        : html`<p>Not working because:</p><ul class="why-not-working">${reasons.map((x) => html`<li class="bad">${x}</li>`)}</ul>`}
${last.emptyVariants.length ? html`<p class="warn small">empty variants (listed, nothing built): ${last.emptyVariants.join(", ")}</p>` : ""}`
    : html`<p class="muted">composedb holds no compose of ${r.release}</p>`}
</div>`;
}

/** Pushes as dots on two lanes (stable, testing) over the last days; an older last push widens the window. */
export function pushTimeline(pushes: Push[], now: Date): Html {
  const oldest = pushes.length ? Math.min(...pushes.map((p) => new Date(p.pushedAt).getTime())) : now.getTime();
  const start = Math.min(now.getTime() - TIMELINE_DAYS * 86400_000, oldest);
  const span = now.getTime() - start || 1;
  const lanes = [["stable", 20], ["testing", 44]] as const;
  return html`<div class="timeline" role="img" aria-label="updates pushes since ${new Date(start).toISOString().slice(0, 10)}">
${lanes.map(([name, top]) => html`<span class="lane-label" style="top:${top - 9}px">${name}</span><span class="lane" style="top:${top}px"></span>`)}
${pushes.map((p) => {
    const lane = lanes.find(([name]) => name === p.request);
    if (!lane) return "";
    const left = ((new Date(p.pushedAt).getTime() - start) / span) * 100;
    return html`<span class="tick ${p.request}" style="top:${lane[1]}px;left:calc(90px + (100% - 102px) * ${left.toFixed(2)} / 100)" title="${p.request} push ${p.pushedAt}: ${p.updates} updates, ${p.builds} builds"></span>`;
  })}
</div><p class="small muted">${new Date(start).toISOString().slice(0, 10)} … now; one dot per push (hover for its updates)</p>`;
}

function pushesCard(r: ReleaseStatus, pushes: Push[], now: Date): Html {
  const line = (name: "stable" | "testing") => {
    const p = r.lastUpdatesPush[name];
    return html`<tr><th>${name}</th><td class="last-push-${name}">${p ? html`${when(p.pushedAt, now)} — ${p.updates.length} updates, ${p.builds} builds` : html`<span class="muted">no push recorded</span>`}</td></tr>`;
  };
  return html`<div class="card"><h3>Updates pushes</h3><table>${line("stable")}${line("testing")}</table>${pushTimeline(pushes, now)}</div>`;
}

function mirrorCard(r: ReleaseStatus, now: Date): Html {
  const m = r.mirror;
  if (!m) return html`<div class="card"><h3>Mirror</h3><p class="muted">relengotron has not published ${r.release}</p></div>`;
  return html`<div class="card mirror"><h3>Mirror: latest</h3>
<p>${composeLink(m.composeId)} published ${when(m.publishedAt, now)} by ${pipelineLink(m.pipelineId)}</p>
<table><thead><tr><th>Artifact</th><th>Built in</th><th>Kept?</th><th class="num">Files</th><th class="num">Size</th></tr></thead><tbody>
${m.artifacts.map((a) => html`<tr><td>${a.artifact}</td><td>${composeLink(a.builtIn)}</td><td>${a.kept ? html`<span class="warn">kept</span> <span class="small">${a.keptReason ?? ""}</span>` : html`<span class="ok">new</span>`}</td><td class="num">${a.files}</td><td class="num">${formatBytes(a.bytes)}</td></tr>`)}
</tbody></table></div>`;
}

function pipelinesCard(list: OverviewData["pipelines"], now: Date): Html {
  const waiting = list.filter((p) => p.stage === "awaiting-signoff");
  const other = list.filter((p) => p.stage !== "awaiting-signoff");
  const row = (p: PipelineSummary) => html`<tr><td>${pipelineLink(p.workflowId)}</td><td>${p.stage ?? ""}</td><td>${when(p.startTime, now)}</td></tr>`;
  return html`<div class="card"><h3>Sign-offs waiting</h3>
${waiting.length
    ? html`<table class="signoffs-waiting"><thead><tr><th>Pipeline</th><th>Waiting for</th><th>Expires</th></tr></thead><tbody>
${waiting.map((p) => html`<tr><td>${pipelineLink(p.workflowId)}</td><td>${p.wait ? formatDuration(now.getTime() - new Date(p.wait.since).getTime()) : "?"}</td><td>${p.wait ? when(p.wait.expiresAt, now) : ""}</td></tr>`)}
</tbody></table>`
    : html`<p class="muted">none</p>`}
<h3>Pipelines in flight</h3>
${other.length ? html`<table class="pipelines-in-flight"><thead><tr><th>Pipeline</th><th>Stage</th><th>Started</th></tr></thead><tbody>${other.map(row)}</tbody></table>` : html`<p class="muted">none</p>`}
</div>`;
}

export function renderOverview(data: OverviewData, selected?: string): string {
  const { now } = data;
  const known = new Set(data.releases.map((r) => r.release));
  const orphans = data.pipelines.filter((p) => !p.release || !known.has(p.release));
  const body = html`<h1>Overview${selected ? html` — ${selected}` : ""}</h1>
<p class="small muted">as of ${now.toISOString().replace("T", " ").slice(0, 16)} UTC · <a href="/overview${queryString({ release: selected })}">refresh</a>${selected ? html` · <a href="/overview">all releases</a>` : ""}</p>
${data.temporalError ? html`<p class="error">Temporal could not be asked for pipelines: ${data.temporalError}</p>` : ""}
${data.releases.length === 0 ? html`<p class="muted">composedb holds no release yet: <code>relengotron ingest &lt;compose&gt;</code></p>` : ""}
${data.releases.map(
    (r) => html`<section class="release" data-release="${r.release}"><h2><a href="/overview${queryString({ release: r.release })}">${r.release}</a>
<span class="small muted"><a href="/composes${queryString({ release: r.release })}">composes</a> · <a href="/sizes${queryString({ release: r.release })}">sizes</a></span></h2>
<div class="cards">${composeCard(r, now)}${pushesCard(r, data.pushes.get(r.release) ?? [], now)}${pipelinesCard(data.pipelines.filter((p) => p.release === r.release), now)}${mirrorCard(r, now)}</div></section>`,
  )}
${orphans.length ? html`<section><h2>Pipelines of releases composedb has no compose of yet</h2>${pipelinesCard(orphans, now)}</section>` : ""}`;
  return page("overview", "Overview", body);
}
