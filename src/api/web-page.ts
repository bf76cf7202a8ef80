// The release engineer's page: pipelines, their plan and checks, and approve/reject buttons.
// Plain HTML and script so it needs no build step; it talks to the same JSON API as curl does.
// The dashboard's other pages (src/api/pages/) are linked from its header.
import { navigation } from "./pages/layout.js";

export function webPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>relengotron — pipelines</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #f6f7f9; }
  header { background: #294172; color: #fff; padding: 10px 20px; display: flex; gap: 16px; align-items: center; }
  header h1 { font-size: 18px; margin: 0; }
  header nav { flex: 1; }
  header nav a { color: #dfe7f6; text-decoration: none; margin-right: 14px; }
  header nav a[aria-current="page"] { color: #fff; border-bottom: 2px solid #fff; }
  header input { width: 22em; }
  main { padding: 16px 20px; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e3e5e8; vertical-align: top; }
  tr.pipeline { cursor: pointer; }
  tr.pipeline:hover { background: #eef3fb; }
  .stage { font-weight: 600; }
  .stage-awaiting-signoff { color: #b35c00; }
  .stage-published { color: #1a7f37; }
  .stage-failed, .stage-rejected, .stage-expired { color: #b42318; }
  #detail { margin-top: 16px; background: #fff; padding: 12px 16px; border: 1px solid #e3e5e8; }
  .reason { color: #555; font-size: 12px; }
  .ok { color: #1a7f37; } .bad { color: #b42318; }
  textarea { width: 100%; min-height: 3em; }
  button { padding: 6px 14px; margin-right: 8px; }
  #message { margin: 8px 0; font-weight: 600; }
</style>
</head>
<body>
<header>
  <h1>relengotron</h1>
  ${navigation("pipelines").value}
  <label>API token <input id="token" type="password" autocomplete="off" placeholder="rgt_…"></label>
</header>
<main>
  <div id="message" role="status"></div>
  <table>
    <thead><tr><th>Pipeline</th><th>Release</th><th>Compose</th><th>Stage</th><th>Status</th><th>Started</th></tr></thead>
    <tbody id="pipelines"><tr><td colspan="6">loading…</td></tr></tbody>
  </table>
  <section id="detail" hidden></section>
</main>
<script>
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
$("token").value = sessionStorage.getItem("relengotron-token") ?? "";
$("token").addEventListener("change", () => sessionStorage.setItem("relengotron-token", $("token").value));
let selected = null;
let shown = null; // "<workflow id> <stage>" on display: the detail is redrawn only when it changes

async function load() {
  const res = await fetch("/api/v1/pipelines");
  const body = await res.json();
  const rows = body.pipelines ?? [];
  $("pipelines").innerHTML = rows.length ? rows.map((p) =>
    '<tr class="pipeline" data-id="' + esc(p.workflowId) + '"><td>' + esc(p.workflowId) + '</td><td>' + esc(p.release) +
    '</td><td>' + esc(p.composeId) + '</td><td class="stage stage-' + esc(p.stage) + '">' + esc(p.stage) + '</td><td>' +
    esc(p.status) + '</td><td>' + esc(p.startTime) + '</td></tr>').join("") : '<tr><td colspan="6">no pipelines yet</td></tr>';
  for (const tr of document.querySelectorAll("tr.pipeline")) tr.addEventListener("click", () => show(tr.dataset.id));
  // Refreshing the list must not redraw a detail someone is reading or typing into.
  const row = rows.find((p) => p.workflowId === selected);
  if (selected && row && shown !== selected + " " + row.stage) show(selected);
}

async function show(id) {
  selected = id;
  shown = null;
  const res = await fetch("/api/v1/pipelines/" + id);
  const p = await res.json();
  if (!res.ok) { $("detail").hidden = false; $("detail").textContent = p.error; return; }
  const artifacts = (p.artifacts ?? []).map((a) => {
    const plan = (p.plan ?? []).find((e) => e.artifact === a.artifact) ?? { reasons: [] };
    const checks = (a.checks ?? []).map((c) => '<span class="' + (c.outcome === "PASSED" ? "ok" : "bad") + '">' + esc(c.check) + ': ' + esc(c.outcome) + '</span>').join(", ");
    return '<tr><td>' + esc(a.artifact) + '</td><td>' + esc(a.action) + '<div class="reason">' +
      plan.reasons.map((r) => esc(r.message)).join("<br>") + '</div></td><td>' + esc(a.status) + '</td><td>' + checks +
      '</td><td>' + esc(a.gate?.summary ?? "") + '</td></tr>';
  }).join("");
  const waiting = p.stage === "awaiting-signoff";
  shown = id + " " + p.stage;
  // The list refreshes every few seconds: keep what the release engineer is typing.
  const draft = $("comment")?.value ?? "";
  $("detail").hidden = false;
  $("detail").innerHTML = '<h2>' + esc(p.composeId) + ' — <span class="stage stage-' + esc(p.stage) + '">' + esc(p.stage) + '</span></h2>' +
    (p.signoff ? '<p>Signed off: <b>' + esc(p.signoff.decision) + '</b> by ' + esc(p.signoff.actor) + ' at ' + esc(p.signoff.decidedAt) + ' — ' + esc(p.signoff.comment) + '</p>' : '') +
    '<p><a class="full-detail" href="/pipelines/' + esc(id) + '">Full detail: builds and Koji tasks, gate, mirror, sign-off audit trail, Temporal Web UI</a></p>' +
    (p.error ? '<p class="bad">' + esc(p.error) + '</p>' : '') +
    '<table><thead><tr><th>Artifact</th><th>Plan</th><th>Status</th><th>Checks</th><th>Gate</th></tr></thead><tbody>' + artifacts + '</tbody></table>' +
    (waiting ? '<h3>Sign-off</h3><textarea id="comment" placeholder="Why (required)"></textarea><p>' +
      '<button id="approve">Approve publication</button><button id="reject">Reject</button></p>' : '');
  if (waiting) {
    $("comment").value = draft;
    $("approve").addEventListener("click", () => decide(id, "approve"));
    $("reject").addEventListener("click", () => decide(id, "reject"));
  }
}

async function decide(id, decision) {
  const res = await fetch("/api/v1/pipelines/" + id + "/signoff", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + $("token").value },
    body: JSON.stringify({ decision, comment: $("comment").value }),
  });
  const body = await res.json();
  $("message").textContent = res.ok ? "Recorded: " + body.signoff.decision + " by " + body.signoff.actor : "Refused: " + body.error;
  $("message").className = res.ok ? "ok" : "bad";
  if (res.ok) await show(id);
  await load();
}

load();
setInterval(load, 5000);
</script>
</body>
</html>`;
}
