// Size charts on /sizes: one uPlot chart per image identity, from GET /api/v1/sizes with the
// page's own filters. A click on a point asks /api/v1/sizes/explain which packages entered or
// grew between the compose before it and that one, and shows the answer beside the chart.
(function () {
  "use strict";
  const MiB = 1024 * 1024;
  const $ = (sel, root) => (root || document).querySelector(sel);
  const el = (tag, attrs, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  };
  const bytes = (n) => {
    const a = Math.abs(n);
    const s = a >= 1024 * MiB ? (a / 1024 / MiB).toFixed(2) + " GiB" : a >= MiB ? (a / MiB).toFixed(1) + " MiB" : a >= 1024 ? (a / 1024).toFixed(1) + " KiB" : a + " B";
    return (n < 0 ? "-" : "") + s;
  };
  const delta = (n) => (n > 0 ? "+" : "") + bytes(n);
  // the label the page gives each chart (identityLabel in src/domain/size-history.ts)
  const key = (id) => [id.release, id.variant, id.subvariant, id.type + "." + id.format, id.arch].join("/");
  // x: the compose date as a time, respins an hour apart so they do not overlap
  const xOf = (p) => Date.UTC(+p.date.slice(0, 4), +p.date.slice(4, 6) - 1, +p.date.slice(6, 8)) / 1000 + p.respin * 3600;

  async function explain(series, i, panel) {
    const from = series.points[i - 1];
    const to = series.points[i];
    panel.replaceChildren(el("p", {}, "asking composedb…"));
    panel.hidden = false;
    const q = new URLSearchParams({ variant: series.identity.variant, arch: series.identity.arch, from: from.composeId, to: to.composeId });
    const res = await fetch("/api/v1/sizes/explain?" + q);
    const body = await res.json();
    const title = el("h3", {}, key(series.identity) + ": " + from.composeId + " → " + to.composeId + " (" + delta(to.size - from.size) + ")");
    if (!res.ok) return panel.replaceChildren(title, el("p", { class: "bad" }, body.error));
    const rows = body.contributors.slice(0, 25).map((c) =>
      el("tr", {}, el("td", {}, c.name + "." + c.arch), el("td", {}, c.change), el("td", { class: "mono" }, c.from || ""), el("td", { class: "mono" }, c.to), el("td", { class: "num" }, c.sizeDelta === null ? "?" : delta(c.sizeDelta))),
    );
    panel.replaceChildren(
      title,
      body.contributors.length
        ? el("table", { class: "attribution" }, el("thead", {}, el("tr", {}, el("th", {}, "Package"), el("th", {}, "Change"), el("th", {}, "Before"), el("th", {}, "After"), el("th", { class: "num" }, "Δ size"))), el("tbody", {}, ...rows))
        : el("p", { class: "muted" }, "no package entered or grew in " + series.identity.variant + "/" + series.identity.arch),
      el("p", { class: "small muted" }, body.contributors.length + " packages entered or changed; known growth " + bytes(body.knownGrowth)),
    );
  }

  function draw(series, box) {
    const panel = el("div", { class: "attribution-panel card", hidden: "" });
    const target = el("div", { class: "plot" });
    box.append(target, el("p", { class: "small muted" }, "Click a point to see which packages entered or grew since the compose before it."), panel);
    const xs = series.points.map(xOf);
    const ys = series.points.map((p) => p.size / MiB);
    const plot = new uPlot(
      {
        width: Math.min(900, box.clientWidth - 20 || 900),
        height: 260,
        scales: { x: { time: true } },
        axes: [{}, { label: "MiB", size: 70, values: (u, vals) => vals.map((v) => v.toFixed(0)) }],
        series: [
          { label: "compose", value: (u, v, si, i) => (i == null ? "" : series.points[i].composeId) },
          { label: "size", stroke: "#294172", width: 2, points: { size: 7, fill: "#294172" }, value: (u, v) => (v == null ? "" : v.toFixed(1) + " MiB") },
        ],
        cursor: { points: { size: 10 } },
      },
      [xs, ys],
      target,
    );
    plot.over.addEventListener("click", () => {
      const i = plot.cursor.idx;
      if (i == null) return;
      if (i === 0) {
        panel.hidden = false;
        panel.replaceChildren(el("p", { class: "muted" }, series.points[0].composeId + " is the first compose of this image: nothing to compare with"));
        return;
      }
      explain(series, i, panel).catch((e) => panel.replaceChildren(el("p", { class: "bad" }, String(e))));
    });
    box.uplot = plot; // for tests and the console
    box.dataset.drawn = "true";
  }

  async function main() {
    const boxes = document.querySelectorAll(".chart[data-series]");
    if (!boxes.length) return;
    const res = await fetch("/api/v1/sizes" + location.search);
    const body = await res.json();
    if (!res.ok) return;
    const byKey = new Map(body.series.map((s) => [key(s.identity), s]));
    for (const box of boxes) {
      const s = byKey.get(box.dataset.series);
      if (s) draw(s, $(".chart-body", box) || box);
    }
  }
  main().catch((e) => console.error(e));
})();
