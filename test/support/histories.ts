// Recorded workflow histories: every pipeline path leaves one under test/histories/, and the replay
// test runs the current workflow code against all of them. Re-record with RECORD_HISTORIES=1.
import fs from "node:fs";
import path from "node:path";
import type { WorkflowHandle } from "@temporalio/client";
import { historyToJSON } from "@temporalio/common/lib/proto-utils.js";
import { projectRoot } from "../../src/config.js";

export const historiesDir = path.join(projectRoot, "test", "histories");

export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const history = await handle.fetchHistory();
  fs.mkdirSync(historiesDir, { recursive: true });
  // The workflow id is part of what replays (child ids derive from it), so it is kept alongside.
  const recorded = { workflowId: handle.workflowId, history: JSON.parse(historyToJSON(history)) as unknown };
  fs.writeFileSync(path.join(historiesDir, `${name}.json`), JSON.stringify(recorded, null, 1) + "\n");
}
