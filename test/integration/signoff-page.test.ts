// The sign-off page in a real browser (headless Chromium): a release engineer pastes a token, opens
// the pipeline waiting for them, and approves publication with a comment.
import fs from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pipelineWorkflowId } from "../../src/domain/pipeline.js";
import { composePipeline, pipelineQuery } from "../../src/workflows/compose-pipeline.js";
import { startApiEnv, type ApiEnv } from "../support/api-env.js";
import { eventually, testPipelineInput, type PipelineEnv } from "../support/pipeline-env.js";

const CHROMIUM = "/usr/bin/chromium";

describe("sign-off page", () => {
  let env: ApiEnv;
  let p: PipelineEnv;
  let browser: Browser;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: ./run test installs the Debian package chromium`);
    env = await startApiEnv({ "releng-carol": ["signoff"] });
    p = env.p;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it("lists the pipeline, shows its plan and checks, and records an approval made with a click", async () => {
    const composeId = "Fedora-Rawhide-20261205.n.0";
    const handle = await p.env.client.workflow.start(composePipeline, {
      taskQueue: p.taskQueue,
      workflowId: pipelineWorkflowId("Fedora-Rawhide", composeId),
      args: [testPipelineInput(composeId, { artifacts: ["Server-boot"] })],
    });
    await eventually(async () => ((await handle.query(pipelineQuery)).stage === "awaiting-signoff" ? true : undefined), "awaiting-signoff");

    const page = await browser.newPage();
    await page.goto(env.api.url);
    await page.fill("#token", env.tokens["releng-carol"]!);
    await page.dispatchEvent("#token", "change");
    const row = page.locator(`tr.pipeline[data-id="${handle.workflowId}"]`);
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await page.locator("#detail h2").filter({ hasText: composeId }).waitFor();
    expect(await page.locator("#detail").textContent()).toMatch(/Server-boot.*rebuild.*no successful build yet.*publishable/s);

    // No comment: the API refuses and the page says why.
    await page.click("#approve");
    await page.locator("#message").filter({ hasText: "Refused" }).waitFor();
    expect(await page.locator("#message").textContent()).toMatch(/Refused: request body does not match/);

    await page.locator("#detail h2").filter({ hasText: "awaiting-signoff" }).waitFor();
    await page.fill("#comment", "boot.iso boots in openQA");
    await page.click("#approve");
    await page.locator("#message").filter({ hasText: "Recorded" }).waitFor();
    expect(await page.locator("#message").textContent()).toBe("Recorded: approve by releng-carol");

    expect((await handle.result()).stage).toBe("published");
    const audit = await p.database.db.signoffAudit.findFirstOrThrow({ where: { pipelineId: handle.workflowId, accepted: true } });
    expect(audit).toMatchObject({ actor: "releng-carol", decision: "approve", comment: "boot.iso boots in openQA" });
    await page.close();
  });
});
