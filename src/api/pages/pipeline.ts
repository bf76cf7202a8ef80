// Pipelines, server-rendered: the list with filters, and one pipeline in full — plan (rebuild or
// reuse, and why), builds with their Koji tasks, checks, the gate decision with every unsatisfied
// requirement, what the mirror keeps, the sign-off and its wait, and the audit trail of attempts.
import type { PipelineView } from "../../domain/pipeline.js";
import type { SignoffWait } from "../../pipelines/signoff-wait.js";
import { formatBytes, formatDuration, when } from "./format.js";
import { html, queryString, type Html } from "./html.js";
import { page } from "./layout.js";
import { kojiTaskUrl, workflowUrl, type PageLinks } from "./links.js";
import type { PipelineSummary } from "./overview-data.js";
import { composeLink, pipelineLink } from "./overview.js";

export interface AuditRow {
  createdAt: Date;
  actor: string;
  decision: string;
  comment: string;
  accepted: boolean;
  reason: string | null;
  remoteAddr: string | null;
}

export interface PipelinePageData {
  view: PipelineView & { workflowId: string; status: string };
  runId?: string;
  wait?: SignoffWait;
  audit: AuditRow[];
  links: PageLinks;
  now: Date;
}

const stageClass = (stage: string) => (stage === "published" ? "ok" : stage === "awaiting-signoff" ? "warn" : ["failed", "rejected", "expired"].includes(stage) ? "bad" : "");

function signoffSection(d: PipelinePageData): Html {
  const { view, wait, now } = d;
  if (view.signoff) {
    return html`<p class="signoff-decided">Signed off: <b>${view.signoff.decision}</b> by ${view.signoff.actor} ${when(view.signoff.decidedAt, now)} — ${view.signoff.comment}</p>`;
  }
  if (view.stage !== "awaiting-signoff") return html`<p class="muted">no sign-off ${["snapshot", "plan", "build", "compose", "check", "gate"].includes(view.stage) ? "yet" : "was given"}</p>`;
  return html`<p class="signoff-waiting warn">Waiting for a sign-off${wait ? html` for ${formatDuration(now.getTime() - new Date(wait.since).getTime())} (since ${when(wait.since, now)}); expires ${when(wait.expiresAt, now)}` : ""}${view.remindedAt ? html`; reminder sent ${when(view.remindedAt, now)}` : ""}.</p>
<p>Approve or reject on the <a href="/">sign-off page</a> (with your token).</p>`;
}

export function renderPipeline(d: PipelinePageData): string {
  const { view, links, now } = d;
  const plan = new Map(view.plan.map((p) => [p.artifact, p]));
  const body = html`<h1>${view.composeId} <span class="badge ${stageClass(view.stage)}">${view.stage}</span></h1>
<p><code>${view.workflowId}</code> · workflow ${view.status.toLowerCase()} · <a class="temporal-ui" href="${workflowUrl(links, view.workflowId, d.runId)}">open in the Temporal Web UI</a> · <a href="/api/v1/pipelines/${view.workflowId}">JSON</a> · compose ${composeLink(view.composeId)}</p>
${view.error ? html`<p class="error">${view.error}</p>` : ""}
<h2>Sign-off</h2>
${signoffSection(d)}
<h2>Plan</h2>
<table class="plan"><thead><tr><th>Artifact</th><th>Action</th><th>Why</th></tr></thead><tbody>
${view.plan.map(
    (p) => html`<tr><td>${p.artifact}</td><td><span class="badge ${p.action === "rebuild" ? "warn" : ""}">${p.action}</span>${p.reuse ? html`<br><span class="small">build of ${composeLink(p.reuse.composeId)}</span>` : ""}</td>
<td class="small">${p.reasons.map((r) => html`${r.message}<br>`)}</td></tr>`,
  )}
</tbody></table>
<h2>Builds</h2>
<table class="builds"><thead><tr><th>Artifact</th><th>Status</th><th>Koji task</th><th>Outputs</th></tr></thead><tbody>
${view.artifacts.map(
    (a) => html`<tr><td>${a.artifact}</td><td>${a.status}${a.error ? html`<br><span class="bad small">${a.error}</span>` : ""}</td>
<td>${a.kojiTaskId !== undefined ? html`<a class="koji-task" href="${kojiTaskUrl(links, a.kojiTaskId)}">task ${a.kojiTaskId}</a>` : html`<span class="muted">${plan.get(a.artifact)?.action === "reuse" ? "reused" : "—"}</span>`}</td>
<td class="small">${a.outputs.map((o) => html`${o.arch} <span class="mono">${o.fileName}</span> ${formatBytes(o.size)} <span class="mono muted">sha256:${o.sha256}</span><br>`)}</td></tr>`,
  )}
</tbody></table>
<h2>Checks</h2>
<table class="checks"><thead><tr><th>Artifact</th><th>Check</th><th>Outcome</th><th>Summary</th></tr></thead><tbody>
${view.artifacts.flatMap((a) => a.checks.map((c) => html`<tr><td>${a.artifact}</td><td>${c.check}</td><td class="${c.outcome === "PASSED" ? "ok" : "bad"}">${c.outcome}</td><td class="small">${c.summary}</td></tr>`))}
</tbody></table>
<h2>Gate</h2>
<table class="gate"><thead><tr><th>Artifact</th><th>Decision</th><th>Unsatisfied requirements</th><th>Satisfied</th></tr></thead><tbody>
${view.artifacts.map((a) =>
    a.gate
      ? html`<tr><td>${a.artifact}</td><td class="${a.gate.publish ? "ok" : "bad"}">${a.gate.publish ? "publish" : "not published"}<br><span class="small">${a.gate.summary}</span></td>
<td class="small">${a.gate.unsatisfied.length ? html`<ul class="unsatisfied">${a.gate.unsatisfied.map((u) => html`<li><b>${u.kind}</b>${"check" in u ? html` ${u.check}` : ""}: ${u.summary}</li>`)}</ul>` : html`<span class="muted">none</span>`}</td>
<td class="small">${a.gate.satisfied.map((s) => s.check).join(", ")}</td></tr>`
      : html`<tr><td>${a.artifact}</td><td class="muted" colspan="3">not gated yet</td></tr>`,
  )}
</tbody></table>
<h2>Mirror</h2>
${view.artifacts.some((a) => a.mirror)
    ? html`<table class="mirror"><thead><tr><th>Artifact</th><th>latest holds the build of</th><th>Kept?</th></tr></thead><tbody>
${view.artifacts.map((a) => html`<tr><td>${a.artifact}</td><td>${a.mirror ? composeLink(a.mirror.builtIn) : html`<span class="muted">—</span>`}</td><td>${a.mirror?.kept ? html`<span class="warn">kept</span> <span class="small">${a.mirror.reason ?? ""}</span>` : a.mirror ? html`<span class="ok">published now</span>` : ""}</td></tr>`)}
</tbody></table>`
    : html`<p class="muted">this pipeline has not published</p>`}
<h2>Sign-off attempts (audit trail)</h2>
<table class="audit"><thead><tr><th>When</th><th>Who</th><th>Decision</th><th>Accepted</th><th>Reason</th><th>Comment</th><th>From</th></tr></thead><tbody>
${d.audit.map(
    (r) => html`<tr><td>${when(r.createdAt.toISOString(), now)}</td><td>${r.actor}</td><td>${r.decision}</td><td class="${r.accepted ? "ok" : "bad"}">${r.accepted ? "accepted" : "refused"}</td><td class="small">${r.reason ?? ""}</td><td class="small">${r.comment}</td><td class="small mono">${r.remoteAddr ?? ""}</td></tr>`,
  )}
${d.audit.length === 0 ? html`<tr><td colspan="7" class="muted">no sign-off attempt</td></tr>` : ""}
</tbody></table>`;
  return page("pipelines", view.composeId, body);
}

export function renderPipelineList(list: PipelineSummary[], q: { release?: string; stage?: string; limit: number }, stages: readonly string[], now: Date): string {
  const body = html`<h1>Pipelines</h1>
<form class="filters" method="get" action="/pipelines">
<label>Release <input name="release" size="20" value="${q.release ?? ""}"></label>
<label>Stage <select name="stage"><option value="">any</option>${stages.map((s) => html`<option${s === q.stage ? html` selected` : ""}>${s}</option>`)}</select></label>
<label>Show <input name="limit" type="number" min="1" max="500" value="${q.limit}"></label>
<button type="submit">Filter</button></form>
<p class="small muted"><a href="/">sign-off page</a> · <a href="/api/v1/pipelines${queryString(q)}">JSON</a></p>
<table class="pipelines"><thead><tr><th>Pipeline</th><th>Release</th><th>Compose</th><th>Stage</th><th>Status</th><th>Started</th></tr></thead><tbody>
${list.map((p) => html`<tr><td>${pipelineLink(p.workflowId)}</td><td>${p.release ?? ""}</td><td>${composeLink(p.composeId)}</td><td>${p.stage ?? ""}</td><td>${p.status}</td><td>${when(p.startTime, now)}</td></tr>`)}
${list.length === 0 ? html`<tr><td colspan="6" class="muted">no pipeline matches</td></tr>` : ""}
</tbody></table>`;
  return page("pipelines", "Pipelines", body);
}
