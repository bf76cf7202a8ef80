// Read-only HTTP view of a directory (compose trees, the mirror), like the web servers in front of
// Fedora's /compose and the mirrors: files, and plain directory listings.
import fs from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";

const TYPES: Record<string, string> = { ".json": "application/json", ".txt": "text/plain", ".svg": "image/svg+xml" };

/** Serves GET/HEAD under `prefix` from `root`; answers false for other paths. */
export function serveDirectory(req: IncomingMessage, res: ServerResponse, prefix: string, root: string): boolean {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (!url.pathname.startsWith(prefix) && url.pathname !== prefix.slice(0, -1)) return false;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD" });
    res.end();
    return true;
  }
  const relative = decodeURIComponent(url.pathname.slice(prefix.length));
  const base = path.resolve(root);
  const target = path.resolve(base, relative);
  if (target !== base && !target.startsWith(base + path.sep)) {
    res.writeHead(403);
    res.end();
    return true;
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end(`not found: ${url.pathname}\n`);
    return true;
  }
  if (stat.isDirectory()) {
    if (!url.pathname.endsWith("/")) {
      res.writeHead(301, { Location: `${url.pathname}/` });
      res.end();
      return true;
    }
    const entries = fs.readdirSync(target, { withFileTypes: true }).filter((e) => !e.name.startsWith("."));
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><title>${escape(url.pathname)}</title><h1>${escape(url.pathname)}</h1><ul>` +
        entries.map((e) => `<li><a href="${encodeURIComponent(e.name)}${e.isDirectory() ? "/" : ""}">${escape(e.name)}${e.isDirectory() ? "/" : ""}</a></li>`).join("") +
        `</ul>`,
    );
    return true;
  }
  res.writeHead(200, {
    "Content-Type": TYPES[path.extname(target)] ?? "application/octet-stream",
    "Content-Length": stat.size,
    "Last-Modified": stat.mtime.toUTCString(),
  });
  if (req.method === "HEAD") res.end();
  else fs.createReadStream(target).pipe(res);
  return true;
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
