// What the README's Quick start prints, read from README.md here so the two cannot drift: its Temporal
// Web UI query, run as printed against the real dev server (the Web UI hands a typed query to
// ListWorkflowExecutions unchanged, as client.workflow.list does), and the stages its shell loops wait on.
import fs from "node:fs";
import path from "node:path";
import type { TestWorkflowEnvironment } from "@temporalio/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/config.js";
import { PIPELINE_STAGES } from "../../src/domain/pipeline.js";
import { PipelineStageKey, ReleaseKey } from "../../src/temporal/search-attributes.js";
import { startTemporal } from "../support/temporal.js";

function quickStart(): string {
  const readme = fs.readFileSync(path.join(projectRoot, "README.md"), "utf8");
  return readme.slice(readme.indexOf("## Quick start"), readme.indexOf("## The `relengotron` command"));
}

/** The query on the comment line after "…with this query:" in the Quick start's shell block. */
function readmeQuery(): string {
  const match = /Temporal Web UI[^`]*with this query:\n#\s+(\S[^\n]*?)[ \t]*\n/.exec(quickStart());
  if (!match) throw new Error("README.md's Quick start no longer prints a Temporal Web UI query in the expected place");
  return match[1]!;
}

describe("the README's Temporal Web UI query", () => {
  let env: TestWorkflowEnvironment;
  const taskQueue = "readme-query-no-worker";
  beforeAll(async () => {
    env = await startTemporal();
    // No worker polls this queue: the workflows stay running with the search attributes they started with.
    const start = (workflowId: string, release: string, stage: string) =>
      env.client.workflow.start("composePipeline", {
        taskQueue,
        workflowId,
        typedSearchAttributes: [
          { key: ReleaseKey, value: release },
          { key: PipelineStageKey, value: stage },
        ],
      });
    await start("pipeline/Fedora-Rawhide/Fedora-Rawhide-20261127.n.0", "Fedora-Rawhide", "awaiting-signoff");
    // Neither must match: another stage of the same release, the same stage of another release.
    await start("pipeline/Fedora-Rawhide/Fedora-Rawhide-20261128.n.0", "Fedora-Rawhide", "build");
    await start("pipeline/Fedora-43/Fedora-43-20261127.n.0", "Fedora-43", "awaiting-signoff");
  });
  afterAll(async () => {
    await env?.teardown();
  });

  async function list(query: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const wf of env.client.workflow.list({ query })) ids.push(wf.workflowId);
    return ids.sort();
  }

  it("runs as printed and finds exactly the pipeline awaiting sign-off", async () => {
    const query = readmeQuery();
    // Visibility lags the start a little; an invalid query throws at once and fails the test.
    const deadline = Date.now() + 20_000;
    let ids = await list(query);
    while (ids.length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      ids = await list(query);
    }
    expect(ids).toEqual(["pipeline/Fedora-Rawhide/Fedora-Rawhide-20261127.n.0"]);
  });

  it("needs its quoting: unquoted, Release is read as a keyword of the query language", async () => {
    // What a new user typed from an earlier README; it shows this server reproduces their error.
    const error: unknown = await list(`Release = "Fedora-Rawhide" AND PipelineStage = "awaiting-signoff"`).then(() => undefined, (e: unknown) => e);
    // The SDK wraps the server's answer ("Failed to list workflows"); the server's reason is its cause.
    expect((error as { cause?: Error } | undefined)?.cause?.message).toMatch(/invalid search attribute: release/i);
  });
});

describe("the README's Quick start waits", () => {
  // Its shell loops wait while the stage is one of a list: a stage added to the pipeline and not to the
  // list would end the wait early and the pasted sign-off would be refused.
  const waits = () => [...quickStart().matchAll(/while \[\[ \$\(stage\) =~ \^\(([^)]*)\)\$ \]\]/g)].map((m) => m[1]!.split("|"));

  it("while the pipeline works towards a sign-off: every stage before awaiting-signoff", () => {
    const [building] = waits();
    expect(building).toEqual(PIPELINE_STAGES.slice(0, PIPELINE_STAGES.indexOf("awaiting-signoff")));
  });

  it("while it publishes after the sign-off", () => {
    const [, publishing] = waits();
    expect(publishing).toEqual(PIPELINE_STAGES.slice(PIPELINE_STAGES.indexOf("awaiting-signoff"), PIPELINE_STAGES.indexOf("published")));
  });
});
