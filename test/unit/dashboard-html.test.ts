// The dashboard's HTML: every value interpolated into a page is escaped, whatever composedb, a
// pipeline or a sign-off comment holds; and the small judgements the pages make.
import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/api/pages/format.js";
import { html, jsonScript, queryString, raw } from "../../src/api/pages/html.js";
import { notWorkingReasons, pushTimeline, renderOverview } from "../../src/api/pages/overview.js";
import { renderPipeline } from "../../src/api/pages/pipeline.js";
import type { ComposeSummary } from "../../src/composedb/queries.js";

const EVIL = `<img src=x onerror="alert(1)">'&`;
const ESCAPED = "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;";

describe("html``", () => {
  it("escapes every interpolated value, in text and in attributes", () => {
    expect(html`<p title="${EVIL}">${EVIL}</p>`.value).toBe(`<p title="${ESCAPED}">${ESCAPED}</p>`);
  });
  it("passes Html through once, joins arrays, drops null, undefined and false", () => {
    const inner = html`<b>${"<i>"}</b>`;
    expect(html`${inner}${[html`<br>`, "<", 3]}${null}${undefined}${false}`.value).toBe("<b>&lt;i&gt;</b><br>&lt;3");
    expect(html`${raw("<hr>")}`.value).toBe("<hr>");
  });
  it("JSON in a script element cannot close it", () => {
    const out = jsonScript("data", { s: "</script><script>alert(1)</script>" }).value;
    expect(out.match(/<\/script>/g)).toHaveLength(1);
    expect(JSON.parse(out.replace(/^<script[^>]*>/, "").replace(/<\/script>$/, ""))).toEqual({ s: "</script><script>alert(1)</script>" });
  });
  it("query strings keep only the defined values, encoded", () => {
    expect(queryString({ release: "F 43&x", variant: undefined, limit: 5, from: "" })).toBe("?release=F+43%26x&limit=5");
    expect(queryString({})).toBe("");
  });
});

describe("what pages render", () => {
  const now = new Date("2026-12-04T12:00:00Z");

  it("a pipeline page escapes sign-off comments, actors, errors, reasons and kept reasons", () => {
    const page = renderPipeline({
      view: {
        workflowId: "pipeline/Fedora-Rawhide/Fedora-Rawhide-20261204.n.0",
        status: "RUNNING",
        release: "Fedora-Rawhide",
        composeId: "Fedora-Rawhide-20261204.n.0",
        stage: "published",
        plan: [{ artifact: "Xfce-Live", action: "rebuild", fingerprint: null, reasons: [{ kind: "first-build", message: EVIL }] }],
        artifacts: [
          {
            artifact: "Xfce-Live",
            action: "rebuild",
            status: "not-published",
            kojiTaskId: 17,
            outputs: [],
            error: EVIL,
            checks: [{ artifact: "Xfce-Live", check: "installability", outcome: "FAILED", summary: EVIL }],
            gate: { artifact: "Xfce-Live", publish: false, required: ["installability"], satisfied: [], unsatisfied: [{ kind: "test-result-failed", artifact: "Xfce-Live", check: "installability", summary: EVIL }], summary: "1 of 1" },
            mirror: { builtIn: "Fedora-Rawhide-20261201.n.0", kept: true, reason: EVIL },
          },
        ],
        signoff: { decision: "approve", actor: EVIL, comment: EVIL, decidedAt: "2026-12-04T11:00:00Z" },
      },
      audit: [{ createdAt: now, actor: EVIL, decision: "approve", comment: EVIL, accepted: false, reason: EVIL, remoteAddr: "127.0.0.1" }],
      links: { temporalUi: "http://127.0.0.1:8233", namespace: "default", kojiWeb: "http://koji.example/koji" },
      now,
    });
    expect(page).not.toContain("<img");
    // plan reason, build error, check, unsatisfied requirement, kept reason, sign-off actor and comment, audit actor, comment and reason
    expect(page.split(ESCAPED).length - 1).toBe(10);
    expect(page).toContain('href="http://koji.example/koji/taskinfo?taskID=17"');
    expect(page).toContain('href="http://127.0.0.1:8233/namespaces/default/workflows/pipeline%2FFedora-Rawhide%2FFedora-Rawhide-20261204.n.0"');
    expect(page).toMatch(/<b>test-result-failed<\/b> installability/);
  });

  it("the overview escapes what composedb holds", () => {
    const compose = (over: Partial<ComposeSummary>): ComposeSummary => ({ composeId: "F-1", status: "FINISHED", type: "nightly", date: "20261204", respin: 0, finishedAt: null, variants: [], emptyVariants: [], missingRequiredVariants: [], ...over });
    const page = renderOverview({
      now,
      releases: [{ release: "Fedora-43", requiredVariants: [], lastWorkingNightly: null, lastCompose: compose({ emptyVariants: [EVIL] }), lastUpdatesPush: { stable: null, testing: null }, mirror: { composeId: "F-1", pipelineId: "p", publishedAt: now.toISOString(), artifacts: [{ artifact: EVIL, builtIn: null, kept: true, keptReason: EVIL, files: 1, bytes: 1 }] } }],
      pushes: new Map(),
      pipelines: [],
    });
    expect(page).not.toContain("<img");
    expect(page.split(ESCAPED).length - 1).toBe(3);
  });
});

describe("judgements", () => {
  const base: ComposeSummary = { composeId: "F-1", status: "FINISHED", type: "nightly", date: "20261204", respin: 0, finishedAt: null, variants: ["Everything", "Workstation"], emptyVariants: [], missingRequiredVariants: [] };
  it("why a compose is not a working nightly", () => {
    expect(notWorkingReasons(base)).toEqual([]);
    expect(notWorkingReasons({ ...base, status: "DOOMED" })).toEqual(["status DOOMED"]);
    expect(notWorkingReasons({ ...base, status: "STARTED" })).toEqual(["still running (STARTED)"]);
    expect(notWorkingReasons({ ...base, emptyVariants: ["Workstation"], missingRequiredVariants: ["Workstation", "Server"] })).toEqual([
      "required variant Workstation is empty (no images, no RPMs)",
      "required variant Server is missing",
    ]);
    expect(notWorkingReasons({ ...base, type: "production" })).toEqual(["a production compose, not a nightly"]);
  });

  it("durations in their two largest units", () => {
    expect([0, 999, 45_000, 61_000, 3600_000, 3600_000 + 2000, 5 * 3600_000 + 20 * 60_000, 50 * 3600_000].map(formatDuration)).toEqual([
      "0 s", "1 s", "45 s", "1 min 1 s", "1 h", "1 h", "5 h 20 min", "2 d 2 h",
    ]);
  });

  it("a push timeline places each push on its lane within the window", () => {
    const now = new Date("2026-12-04T12:00:00Z");
    const out = pushTimeline(
      [
        { request: "stable", pushedAt: "2026-12-04T12:00:00Z", updates: 3, builds: 4 },
        { request: "testing", pushedAt: "2026-11-20T12:00:00Z", updates: 1, builds: 1 },
        { request: "testing", pushedAt: "2026-10-21T12:00:00Z", updates: 1, builds: 1 },
      ],
      now,
    ).value;
    const lefts = [...out.matchAll(/\* ([\d.]+) \/ 100/g)].map((m) => Number(m[1]));
    expect(lefts).toEqual([100, 68.18, 0]);
    expect(out.match(/class="tick testing"/g)).toHaveLength(2);
    expect(out).toContain("2026-10-21 … now");
  });
});
