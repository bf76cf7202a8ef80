// Where pages link out: the Temporal Web UI (the dev server's, or the one beside an external
// Temporal on TEMPORAL_UI_PORT) and Koji's web UI (KOJI_URL with /kojihub → /koji; the sandbox hub
// otherwise).
import type { Config } from "../../config.js";

export interface PageLinks {
  temporalUi: string;
  namespace: string;
  kojiWeb: string;
}

export function pageLinks(cfg: Config): PageLinks {
  const temporalHost = cfg.TEMPORAL_ADDRESS ? cfg.TEMPORAL_ADDRESS.replace(/:\d+$/, "") : "127.0.0.1";
  const kojiWeb = cfg.KOJI_URL
    ? cfg.KOJI_URL.replace(/\/kojihub\/?$/, "/koji")
    : `http://${cfg.RELENGOTRON_SANDBOX_HOST}:${cfg.RELENGOTRON_SANDBOX_PORT}/koji`;
  return { temporalUi: `http://${temporalHost}:${cfg.TEMPORAL_UI_PORT}`, namespace: cfg.TEMPORAL_NAMESPACE, kojiWeb };
}

export const workflowUrl = (l: PageLinks, workflowId: string, runId?: string) =>
  `${l.temporalUi}/namespaces/${encodeURIComponent(l.namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${encodeURIComponent(runId)}/history` : ""}`;

export const kojiTaskUrl = (l: PageLinks, taskId: number) => `${l.kojiWeb}/taskinfo?taskID=${taskId}`;
