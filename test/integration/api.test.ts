// The HTTP API over real HTTP, a real Temporal dev server and a real database: starting a pipeline,
// reading it, and signing it off — authenticated, validated, audited.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { WorkflowUpdateFailedError } from "@temporalio/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Api } from "../../src/api/server.js";
import { loadConfig } from "../../src/config.js";
import { composeDate } from "../../src/domain/compose-id.js";
import { signedSignoffUpdate } from "../../src/pipelines/service.js";
import { signoffKeyFiles } from "../../src/pipelines/signoff-keys.js";
import { signoffUpdate } from "../../src/workflows/compose-pipeline.js";
import { startApiEnv, type ApiEnv } from "../support/api-env.js";
import { eventually, type PipelineEnv } from "../support/pipeline-env.js";

const ALL = ["Cloud-Base-Generic", "Container-Base", "Server-boot", "Workstation-Live", "Xfce-Live"];

describe("HTTP API", () => {
  let env: ApiEnv;
  let p: PipelineEnv;
  let api: Api;
  let releng: string;
  let watcher: string;
  let trigger: string;

  beforeAll(async () => {
    env = await startApiEnv({ "releng-alice": ["signoff", "trigger"], "watcher-bob": [], bot: ["trigger"] });
    ({ p, api } = env);
    releng = env.tokens["releng-alice"]!;
    watcher = env.tokens["watcher-bob"]!;
    trigger = env.tokens.bot!;
  });
  afterAll(async () => {
    await env?.close();
  });

  const call = async (method: string, route: string, opts: { token?: string; body?: unknown; contentType?: string } = {}) => {
    const res = await fetch(`${api.url}${route}`, {
      method,
      headers: {
        ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body !== undefined ? { "Content-Type": opts.contentType ?? "application/json" } : {}),
      },
      body: opts.body === undefined ? undefined : typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response shapes are what the test asserts
    const body: any = res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;
    return { status: res.status, body };
  };

  it("answers /healthz with the state of the database and Temporal", async () => {
    const res = await call("GET", "/healthz");
    expect(res).toEqual({ status: 200, body: { status: "ok", database: "ok", temporal: "ok" } });
  });

  it("serves the sign-off page", async () => {
    const res = await call("GET", "/");
    expect(res.status).toBe(200);
    expect(res.body).toContain("<title>relengotron — pipelines</title>");
    expect(res.body).toContain("/signoff");
  });

  it("refuses to start a pipeline without a token, without the role, or with a bad body", async () => {
    expect((await call("POST", "/api/v1/pipelines", { body: { release: "Fedora-Rawhide" } })).status).toBe(401);
    expect((await call("POST", "/api/v1/pipelines", { token: "rgt_not-a-real-token", body: { release: "Fedora-Rawhide" } })).status).toBe(401);
    const noRole = await call("POST", "/api/v1/pipelines", { token: watcher, body: { release: "Fedora-Rawhide" } });
    expect(noRole).toEqual({ status: 403, body: { error: "user watcher-bob lacks the trigger role" } });
    const badBody = await call("POST", "/api/v1/pipelines", { token: trigger, body: { release: 42 } });
    expect(badBody.status).toBe(400);
    expect(badBody.body.details).toEqual([{ path: "release", message: expect.stringMatching(/string/) }]);
    const notJson = await call("POST", "/api/v1/pipelines", { token: trigger, body: "{release", contentType: "application/json" });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toMatch(/not valid JSON/);
    expect((await call("POST", "/api/v1/pipelines", { token: trigger, body: "release=x", contentType: "text/plain" })).status).toBe(415);
    const unknownRelease = await call("POST", "/api/v1/pipelines", { token: trigger, body: { release: "Fedora-99" } });
    expect(unknownRelease).toMatchObject({ status: 400, body: { error: expect.stringMatching(/unknown release Fedora-99/) } });
    const unknownArtifact = await call("POST", "/api/v1/pipelines", { token: trigger, body: { release: "Fedora-Rawhide", artifacts: ["KDE-Live"] } });
    expect(unknownArtifact).toMatchObject({ status: 400, body: { error: "release Fedora-Rawhide has no artifact KDE-Live" } });
    expect((await call("GET", "/api/v1/nothing")).status).toBe(404);
    expect((await call("DELETE", "/api/v1/pipelines")).status).toBe(405);
  });

  it("starts a pipeline, reports its stage, and takes exactly one authenticated sign-off", async () => {
    const started = await call("POST", "/api/v1/pipelines", { token: trigger, body: { release: "Fedora-Rawhide", artifacts: ["Server-boot"] } });
    const composeId = `Fedora-Rawhide-${composeDate(new Date())}.n.0`;
    expect(started).toEqual({ status: 202, body: { workflowId: `pipeline/Fedora-Rawhide/${composeId}`, composeId } });
    const id = started.body.workflowId as string;

    const waiting = await eventually(async () => {
      const res = await call("GET", `/api/v1/pipelines/${id}`);
      return res.body.stage === "awaiting-signoff" ? res : undefined;
    }, "awaiting-signoff");
    expect(waiting.body).toMatchObject({ workflowId: id, status: "RUNNING", composeId, release: "Fedora-Rawhide" });
    // The first pipeline of the release builds every artifact, whatever the candidates.
    expect(waiting.body.artifacts.map((a: { artifact: string; status: string }) => [a.artifact, a.status]).sort()).toEqual(ALL.map((a) => [a, "publishable"]));
    // Listed by stage and by release (visibility catches up within moments).
    const listed = await eventually(async () => {
      const res = await call("GET", "/api/v1/pipelines?release=Fedora-Rawhide&stage=awaiting-signoff");
      return res.body.pipelines?.length ? res : undefined;
    }, "the pipeline in the visibility store");
    expect(listed.body.pipelines).toEqual([expect.objectContaining({ workflowId: id, composeId, release: "Fedora-Rawhide", stage: "awaiting-signoff", status: "RUNNING" })]);

    const signoff = (token: string | undefined, body: unknown) => call("POST", `/api/v1/pipelines/${id}/signoff`, { token, body });
    expect((await signoff(undefined, { decision: "approve", comment: "x" })).status).toBe(401);
    expect((await signoff(trigger, { decision: "approve", comment: "x" })).status).toBe(403);
    const missing = await signoff(releng, { decision: "approve" });
    expect(missing.status).toBe(400);
    expect(missing.body.details[0].path).toBe("comment");
    expect((await signoff(releng, { decision: "ship-it", comment: "x" })).status).toBe(400);

    // Straight to Temporal, around the API: no assertion, a forged actor, an expired assertion, one
    // made for another pipeline, one signed with another key. The pipeline refuses each and
    // records each in the audit trail itself.
    const handle = p.env.client.workflow.getHandle(id);
    const keys = signoffKeyFiles(loadConfig({}));
    const otherKeys = signoffKeyFiles({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), "rt-other-key-")) });
    const genuine = (over: Partial<{ workflowId: string; now: Date; keys: typeof keys }> = {}) =>
      signedSignoffUpdate(over.keys ?? keys, { workflowId: over.workflowId ?? id, actor: "releng-alice", request: { decision: "approve", comment: "ship it" } }, over.now);
    const forged = [
      { update: { decision: "approve" as const, comment: "mallory was here", actor: "mallory" }, refusal: /carries no assertion/ },
      { update: { ...genuine(), actor: "mallory" }, refusal: /names releng-alice, not mallory/ },
      { update: genuine({ now: new Date(Date.now() - 3600_000) }), refusal: /expired at/ },
      { update: genuine({ workflowId: "pipeline/Fedora-Rawhide/Fedora-Rawhide-20990101.n.0" }), refusal: /for another pipeline/ },
      { update: genuine({ keys: otherKeys }), refusal: /does not verify/ },
      { update: { ...genuine(), comment: "a comment the API never saw" }, refusal: /another comment/ },
    ];
    for (const { update, refusal } of forged) {
      const failure = await handle.executeUpdate(signoffUpdate, { args: [update] }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((failure as WorkflowUpdateFailedError).cause?.message).toMatch(refusal);
    }
    expect((await call("GET", `/api/v1/pipelines/${id}`)).body).toMatchObject({ stage: "awaiting-signoff" });
    expect((await call("GET", `/api/v1/pipelines/${id}`)).body.signoff).toBeUndefined();

    const accepted = await signoff(releng, { decision: "approve", comment: "boot.iso boots" });
    expect(accepted.status).toBe(200);
    expect(accepted.body.signoff).toMatchObject({ decision: "approve", comment: "boot.iso boots", actor: "releng-alice", audited: true });

    const done = await eventually(async () => {
      const res = await call("GET", `/api/v1/pipelines/${id}`);
      return res.body.stage === "published" ? res : undefined;
    }, "published");
    expect(done.body.signoff.actor).toBe("releng-alice");

    const again = await signoff(releng, { decision: "reject", comment: "too late" });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatch(/finished|already has a sign-off/);
    expect((await call("POST", "/api/v1/pipelines/pipeline/Fedora-Rawhide/nope/signoff", { token: releng, body: { decision: "approve", comment: "x" } })).status).toBe(404);

    // Every attempt is in the audit trail, refused ones with their reason.
    const audit = await p.database.db.signoffAudit.findMany({ where: { pipelineId: id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.actor, a.accepted])).toEqual([
      ["(unauthenticated)", false],
      ["bot", false],
      ["mallory", false],
      ["mallory", false],
      ["releng-alice", false],
      ["releng-alice", false],
      ["releng-alice", false],
      ["releng-alice", false],
      ["releng-alice", true],
      ["releng-alice", false],
    ]);
    expect(audit[1]!.reason).toBe("user bot lacks the signoff role");
    forged.forEach(({ refusal }, i) => expect(audit[2 + i]!.reason).toMatch(new RegExp(`^refused by the pipeline: .*${refusal.source}`)));
    // The accepted one, recorded once (by the pipeline), with where the API saw it from.
    expect(audit[8]).toMatchObject({ decision: "approve", comment: "boot.iso boots", reason: null, remoteAddr: expect.stringMatching(/127\.0\.0\.1/) });
    expect(fs.existsSync(path.join(p.dirs.mirrorDir, "Fedora-Rawhide", composeId))).toBe(true);
  });
});
