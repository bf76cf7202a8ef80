// The HTTP API and the sign-off web page.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { PipelineDeps } from "../pipelines/service.js";
import { Authenticator } from "./auth.js";
import { composedbRoutes } from "./composedb.js";
import { gatingRoutes, type GatingDeps } from "./gating.js";
import { json, Router } from "./http.js";
import { pageRoutes } from "./pages/routes.js";
import { pipelineRoutes } from "./pipelines.js";
import { ringRoutes } from "./rings.js";
import { webPage } from "./web-page.js";

export interface Api {
  server: http.Server;
  router: Router;
  url: string;
  close(): Promise<void>;
}

export async function startApi(
  deps: PipelineDeps,
  opts: { host: string; port: number; tokensFile: string; /** policies, ResultsDB and WaiverDB for POST /api/v1/decision */ gating?: GatingDeps["sources"] },
): Promise<Api> {
  const router = new Router();
  const auth = new Authenticator(opts.tokensFile);
  router.on("GET", "/healthz", async () => {
    const [database, temporal] = await Promise.all([
      deps.db.$queryRaw`SELECT 1`.then(() => "ok", (e: Error) => `error: ${e.message}`),
      deps.client.workflowService.getSystemInfo({}).then(() => "ok", (e: Error) => `error: ${e.message}`),
    ]);
    const ok = database === "ok" && temporal === "ok";
    return json(ok ? 200 : 503, { status: ok ? "ok" : "degraded", database, temporal });
  });
  router.on("GET", "/", async () => ({ status: 200, html: webPage() }));
  pipelineRoutes(router, deps, auth);
  composedbRoutes(router, deps);
  pageRoutes(router, deps);
  ringRoutes(router, deps);
  gatingRoutes(router, { sources: opts.gating ?? (() => undefined) });

  const server = http.createServer((req, res) => void router.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    router,
    url: `http://${opts.host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
