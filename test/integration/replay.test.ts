// Every recorded workflow history under test/histories/ replays against the current workflow code.
// A change to workflow code that is not guarded by patched() makes this fail with a
// non-determinism error, before it reaches a running pipeline.
import fs from "node:fs";
import path from "node:path";
import { historyFromJSON } from "@temporalio/common/lib/proto-utils.js";
import { Worker } from "@temporalio/worker";
import { describe, expect, it } from "vitest";
import { installQuietRuntime } from "../../src/runtime/worker.js";
import { historiesDir } from "../support/histories.js";
import { workflowBundle } from "../support/temporal.js";

// test/histories/*.json: the current recordings; test/histories/<version>/*.json: recordings made by
// older workflow code, kept so that every patched() change keeps them replaying.
const files = fs.existsSync(historiesDir)
  ? (fs.readdirSync(historiesDir, { recursive: true }) as string[]).filter((f) => f.endsWith(".json")).sort()
  : [];

function load(file: string) {
  const recorded = JSON.parse(fs.readFileSync(path.join(historiesDir, file), "utf8")) as { workflowId: string; history: unknown };
  return { workflowId: recorded.workflowId, history: historyFromJSON(recorded.history) };
}

describe("recorded workflow histories", () => {
  it("cover every pipeline path", () => {
    const paths = [
      "pipeline-first-build-approved",
      "pipeline-all-reused",
      "pipeline-some-rebuilt-rejected",
      "pipeline-build-failed",
      "pipeline-check-failed",
      "pipeline-expired",
      "pipeline-cancelled",
      "pipeline-ci-missing",
      "artifact-build-succeeded",
      "artifact-build-failed",
      "trigger-batches",
      "trigger-continued-as-new",
      "nightly-started-pipeline",
    ];
    for (const name of paths) expect(files, `missing history ${name}`).toContain(`${name}.json`);
  });

  it("include pipelines recorded before and after the record-pipeline-outcome patch", () => {
    // patched() leaves a marker event; the workflow had no patch before this one.
    const marker = (file: string) => load(file).history.events!.some((e) => e.markerRecordedEventAttributes);
    const older = files.filter((f) => f.startsWith("v1-before-outcome/"));
    expect(older.length).toBeGreaterThan(0);
    for (const f of older) expect(marker(f), f).toBe(false);
    for (const f of files.filter((f) => f.startsWith("pipeline-"))) expect(marker(f), f).toBe(true);
  });

  it.each(files)("%s replays against the current workflow code", async (file) => {
    installQuietRuntime();
    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, [load(file)])) results.push(result);
    expect(results).toHaveLength(1);
    expect(results[0]!.error, String(results[0]!.error)).toBeUndefined();
  });
});
