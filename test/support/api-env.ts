// The API over a pipeline environment: real HTTP, a worker running the real activities, and tokens
// for the users a test names.
import path from "node:path";
import { createToken, type Role } from "../../src/api/auth.js";
import { startApi, type Api } from "../../src/api/server.js";
import { loadConfig } from "../../src/config.js";
import { startPipelineEnv, type PipelineEnv } from "./pipeline-env.js";

export interface ApiEnv {
  p: PipelineEnv;
  api: Api;
  tokens: Record<string, string>;
  close(): Promise<void>;
}

export async function startApiEnv(users: Record<string, Role[]>): Promise<ApiEnv> {
  const p = await startPipelineEnv();
  const tokensFile = path.join(p.dirs.root, "api-tokens");
  const tokens = Object.fromEntries(Object.entries(users).map(([user, roles]) => [user, createToken(tokensFile, user, roles)]));
  // The default data folder: its sign-off keys are the ones pipelines the tests start directly verify with.
  const cfg = loadConfig({ TEMPORAL_TASK_QUEUE: p.taskQueue });
  const api = await startApi({ client: p.env.client, db: p.database.db, cfg, releases: p.releases }, { host: "127.0.0.1", port: 0, tokensFile });
  const stopWorker = await p.startWorker();
  return {
    p,
    api,
    tokens,
    close: async () => {
      await api.close();
      await stopWorker();
      await p.close();
    },
  };
}
