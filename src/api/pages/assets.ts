// Static files the pages load: uPlot from node_modules (no CDN, no build step) and our scripts.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Router } from "../http.js";

const require = createRequire(import.meta.url);
const own = (name: string) => fileURLToPath(new URL(`./assets/${name}`, import.meta.url));

export const ASSETS: Record<string, { file: string; contentType: string }> = {
  "uplot.min.js": { file: require.resolve("uplot/dist/uPlot.iife.min.js"), contentType: "text/javascript; charset=utf-8" },
  "uplot.min.css": { file: require.resolve("uplot/dist/uPlot.min.css"), contentType: "text/css; charset=utf-8" },
  "sizes-chart.js": { file: own("sizes-chart.js"), contentType: "text/javascript; charset=utf-8" },
};

export function assetRoutes(router: Router): void {
  const cache = new Map<string, string>();
  for (const [name, asset] of Object.entries(ASSETS)) {
    router.on("GET", `/assets/${name}`, async () => {
      let body = cache.get(name);
      if (body === undefined) cache.set(name, (body = readFileSync(asset.file, "utf8")));
      return { status: 200, text: body, contentType: asset.contentType };
    });
  }
}
