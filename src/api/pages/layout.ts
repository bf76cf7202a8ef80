// The frame every dashboard page shares: navigation, styles, and an HTML error page.
import { HttpError, type Reply } from "../http.js";
import { html, raw, type Html } from "./html.js";

export const NAV = [
  ["overview", "/overview", "Overview"],
  ["composes", "/composes", "Composes"],
  ["diff", "/diff", "Diff"],
  ["arches", "/arches", "Arches"],
  ["sizes", "/sizes", "Sizes"],
  ["pipelines", "/", "Pipelines & sign-off"],
] as const;
export type Section = (typeof NAV)[number][0];

export const STYLE = raw(`
  body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #f6f7f9; }
  header { background: #294172; color: #fff; padding: 8px 20px; display: flex; gap: 18px; align-items: center; flex-wrap: wrap; }
  header .brand { font-size: 18px; font-weight: 700; margin-right: 12px; color: #fff; text-decoration: none; }
  header nav a { color: #dfe7f6; text-decoration: none; margin-right: 14px; padding: 4px 0; }
  header nav a[aria-current="page"] { color: #fff; border-bottom: 2px solid #fff; }
  main { padding: 14px 20px 40px; max-width: 1400px; }
  h1 { font-size: 20px; margin: 6px 0 12px; } h2 { font-size: 17px; margin: 22px 0 8px; } h3 { font-size: 15px; margin: 16px 0 6px; }
  table { border-collapse: collapse; background: #fff; margin: 4px 0 12px; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e5e8; vertical-align: top; }
  th { background: #eef1f5; font-weight: 600; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  .card { background: #fff; border: 1px solid #e3e5e8; padding: 10px 14px; margin: 10px 0; overflow-x: auto; }
  .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 12px; }
  .muted { color: #666; } .small { font-size: 12px; }
  .ok { color: #1a7f37; } .bad { color: #b42318; } .warn { color: #b35c00; }
  .badge { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; font-weight: 600; background: #e3e5e8; }
  .badge.ok { background: #dcf5e3; } .badge.bad { background: #fde2df; } .badge.warn { background: #fdebd3; }
  form.filters { display: flex; gap: 10px; flex-wrap: wrap; align-items: end; background: #fff; border: 1px solid #e3e5e8; padding: 8px 12px; }
  form.filters label { display: flex; flex-direction: column; font-size: 12px; color: #444; }
  code, .mono { font-family: ui-monospace, monospace; font-size: 12px; }
  td.present { background: #dcf5e3; text-align: center; } td.missing { background: #fde2df; text-align: center; font-weight: 700; }
  td.absent { background: #eee; text-align: center; color: #888; }
  .timeline { position: relative; height: 64px; background: #fff; border: 1px solid #e3e5e8; margin: 6px 0 2px; }
  .timeline .lane { position: absolute; left: 90px; right: 12px; height: 1px; background: #c9ced6; }
  .timeline .lane-label { position: absolute; left: 8px; font-size: 12px; color: #444; }
  .timeline .tick { position: absolute; width: 9px; height: 9px; margin: -4px 0 0 -4px; border-radius: 50%; }
  .timeline .tick.stable { background: #1a7f37; } .timeline .tick.testing { background: #b35c00; }
  .chart { background: #fff; border: 1px solid #e3e5e8; padding: 8px; margin: 8px 0; }
  .error { background: #fde2df; border: 1px solid #f3b8b0; padding: 10px 14px; }
`);

export function page(section: Section | null, title: string, body: Html, head: Html = html``): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title} — relengotron</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${STYLE}</style>
${head}
</head>
<body>
<header><a class="brand" href="/overview">relengotron</a>${navigation(section)}</header>
<main>
${body}
</main>
</body>
</html>`.value;
}

export function navigation(section: Section | null): Html {
  return html`<nav>${NAV.map(([key, href, label]) => html`<a href="${href}"${key === section ? raw(' aria-current="page"') : ""}>${label}</a>`)}</nav>`;
}

/** A page handler whose HttpErrors (a bad parameter, an unknown compose) render as an HTML page with the same status. */
export function htmlErrors(section: Section, title: string, render: () => Promise<string>): Promise<Reply> {
  return render().then(
    (body) => ({ status: 200, html: body }),
    (error: unknown) => {
      if (!(error instanceof HttpError)) throw error;
      const details = Array.isArray(error.details) ? (error.details as { parameter?: string; message?: string }[]) : [];
      const body = html`<h1>${title}</h1><div class="error" role="alert"><strong>${error.status === 404 ? "Not found" : "Cannot show this"}:</strong> ${error.message}
${details.length ? html`<ul>${details.map((d) => html`<li>${d.parameter ? html`<code>${d.parameter}</code>: ` : ""}${d.message}</li>`)}</ul>` : ""}</div>`;
      return { status: error.status, html: page(section, title, body) };
    },
  );
}
