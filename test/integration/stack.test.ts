// `relengotron up` as a user runs it: everything starts (embedded PostgreSQL, the Temporal dev
// server with its Web UI, the sandbox, the worker, the API), a pipeline is approved with plain HTTP
// calls like the README's curl lines, and Ctrl-C leaves nothing running.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { hashFile } from "../../src/activities/file-digest.js";
import { projectRoot } from "../../src/config.js";
import { freePort } from "../../src/net/free-port.js";
import { eventually } from "../support/pipeline-env.js";

/** Processes whose command line mentions `marker` (our data folder). */
function processesMentioning(marker: string): string[] {
  return fs
    .readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .flatMap((pid) => {
      try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
        return cmdline.includes(marker) ? [`${pid}: ${cmdline}`] : [];
      } catch {
        return [];
      }
    });
}

const execFileAsync = promisify(execFile);
const ALL = ["Cloud-Base-Generic", "Container-Base", "Server-boot", "Workstation-Live", "Xfce-Live"];
interface Manifest {
  composeId: string;
  artifacts: { artifact: string; builtIn: string; kept: boolean }[];
  files: { artifact: string; path: string; sha256: string }[];
}

describe("relengotron up", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-stack-"));
  // mkdtemp makes it private; as root the embedded PostgreSQL (user postgres) must get through.
  fs.chmodSync(dataDir, 0o755);
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    for (const line of processesMentioning(dataDir)) process.kill(Number(line.split(":")[0]), "SIGKILL");
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts everything, publishes a pipeline on a curl-style sign-off, republishes the whole release after a bus-triggered rebuild, and stops cleanly on Ctrl-C", async () => {
    const ports = {
      TEMPORAL_PORT: await freePort(),
      TEMPORAL_UI_PORT: await freePort(),
      RELENGOTRON_API_PORT: await freePort(),
      RELENGOTRON_SANDBOX_PORT: await freePort(),
      RELENGOTRON_SANDBOX_WEB_PORT: await freePort(),
      RELENGOTRON_EMBEDDED_PG_PORT: await freePort(),
    };
    const env = {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      RELENGOTRON_DATA_DIR: dataDir,
      TEMPORAL_CLI: inject("temporalCli"),
      RELENGOTRON_SANDBOX_TASK_MS: "100",
      RELENGOTRON_KOJI_POLL_MS: "100",
      RELENGOTRON_TRIGGER_QUIET_SECONDS: "1",
      RELENGOTRON_TRIGGER_MAX_WAIT_SECONDS: "10",
      // Only the bus starts pipelines here: a run across 03:00 UTC must not meet the nightly one.
      RELENGOTRON_NIGHTLY_CRON: "off",
      AMQP_URL: "",
      DATABASE_URL: "",
      TEMPORAL_ADDRESS: "",
      KOJI_URL: "",
    };
    child = spawn(process.execPath, ["--import", "tsx", path.join(projectRoot, "src/cli/main.ts"), "up"], { env, cwd: projectRoot });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));

    await Promise.race([
      eventually(async () => (output.includes("relengotron is up") ? true : undefined), "up", 150_000),
      exited.then((code) => (output.includes("relengotron is up") ? undefined : Promise.reject(new Error(`up exited with ${code}:\n${output}`)))),
    ]);
    const api = `http://127.0.0.1:${ports.RELENGOTRON_API_PORT}`;
    expect(output).toContain(`Temporal Web UI        http://127.0.0.1:${ports.TEMPORAL_UI_PORT}`);
    expect(output).toContain(`API and sign-off page  ${api}`);
    expect(output).not.toMatch(/rgt_/); // the token is in a file, never printed
    expect((await fetch(`http://127.0.0.1:${ports.TEMPORAL_UI_PORT}/`)).status).toBe(200);
    expect(await (await fetch(`${api}/healthz`)).json()).toEqual({ status: "ok", database: "ok", temporal: "ok" });

    const token = fs.readFileSync(path.join(dataDir, "releng-token"), "utf8").trim();
    expect((fs.statSync(path.join(dataDir, "releng-token")).mode & 0o077)).toBe(0);
    const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const started = (await (await fetch(`${api}/api/v1/pipelines`, { method: "POST", headers, body: JSON.stringify({ release: "Fedora-Rawhide" }) })).json()) as {
      workflowId: string;
      composeId: string;
    };
    /** Approves a pipeline once it waits for a sign-off, as the README's curl lines do, and waits for its publication. */
    const approve = async (workflowId: string, comment: string) => {
      const stageIs = (stage: string, timeoutMs: number) =>
        eventually(async () => {
          const view = (await (await fetch(`${api}/api/v1/pipelines/${workflowId}`)).json()) as { stage: string; error?: string };
          if (view.stage === "failed") throw new Error(view.error);
          return view.stage === stage ? true : undefined;
        }, `${workflowId} ${stage}`, timeoutMs);
      await stageIs("awaiting-signoff", 120_000);
      const signoff = await fetch(`${api}/api/v1/pipelines/${workflowId}/signoff`, { method: "POST", headers, body: JSON.stringify({ decision: "approve", comment }) });
      expect(signoff.status).toBe(200);
      await stageIs("published", 60_000);
    };
    await approve(started.workflowId, "looks good");
    const mirror = await fetch(`http://127.0.0.1:${ports.RELENGOTRON_SANDBOX_WEB_PORT}/mirror/Fedora-Rawhide/latest/PUBLISHED.json`);
    expect(mirror.status).toBe(200);
    expect(((await mirror.json()) as { composeId: string }).composeId).toBe(started.composeId);

    const web = `http://127.0.0.1:${ports.RELENGOTRON_SANDBOX_WEB_PORT}`;
    const first = (await (await fetch(`${web}/mirror/Fedora-Rawhide/latest/PUBLISHED.json`)).json()) as Manifest;
    expect(first.artifacts.map((a) => a.artifact).sort()).toEqual(ALL);

    // The live loop: a packager tags a new xfwm4; the sandbox Koji's message reaches the trigger,
    // which starts a pipeline in which the one image containing it is rebuilt. The first
    // pipeline's own image builds were tagged into f46 too: they are no package change.
    const bumped = await execFileAsync(process.execPath, ["--import", "tsx", path.join(projectRoot, "src/cli/main.ts"), "sandbox", "bump", "xfwm4"], { cwd: projectRoot, env });
    expect(bumped.stdout).toMatch(/tagged xfwm4-[^ ]+ \(build \d+\) into f46/);
    const triggered = await eventually(async () => {
      const { pipelines } = (await (await fetch(`${api}/api/v1/pipelines`)).json()) as { pipelines: { workflowId: string; composeId: string }[] };
      return pipelines.find((x) => x.workflowId !== started.workflowId);
    }, "a pipeline started by the bus", 120_000);
    const view = await eventually(async () => {
      const v = (await (await fetch(`${api}/api/v1/pipelines/${triggered.workflowId}`)).json()) as { stage: string; plan: { artifact: string; action: string }[] };
      return v.plan.length ? v : undefined;
    }, "its plan");
    expect(view.plan.map((e) => [e.artifact, e.action]).sort()).toEqual(ALL.map((a) => [a, a === "Xfce-Live" ? "rebuild" : "reuse"]));
    await approve(triggered.workflowId, "publish the new Xfce");

    // latest is the whole release: every artifact, the new Xfce ISO, and every other file the same
    // bytes as before — hard links into the first publication, not copies.
    const latest = (await (await fetch(`${web}/mirror/Fedora-Rawhide/latest/PUBLISHED.json`)).json()) as Manifest;
    expect(latest.composeId).toBe(triggered.composeId);
    expect(latest.artifacts.map((a) => a.artifact).sort()).toEqual(ALL);
    expect(latest.files.map((f) => f.artifact).sort()).toEqual(first.files.map((f) => f.artifact).sort());
    const releaseDir = path.join(dataDir, "mirror", "Fedora-Rawhide");
    for (const f of latest.files) {
      const file = path.join(releaseDir, "latest", f.path);
      expect(await hashFile(file), f.path).toBe(f.sha256);
      const before = first.files.find((g) => g.path === f.path);
      if (f.artifact === "Xfce-Live") {
        expect(before, f.path).toBeUndefined();
        expect(first.files.some((g) => g.artifact === "Xfce-Live" && g.sha256 === f.sha256)).toBe(false);
      } else {
        expect(before?.sha256, f.path).toBe(f.sha256);
        expect(fs.statSync(file).ino, `${f.path} is a hard link`).toBe(fs.statSync(path.join(releaseDir, started.composeId, f.path)).ino);
      }
    }
    // composedb's diff of the two composes: only the Xfce image changed.
    const diff = (await (await fetch(`${api}/api/v1/diff?from=${started.composeId}&to=${triggered.composeId}`)).json()) as {
      images: { added: unknown[]; removed: unknown[]; changed: { variant: string; subvariant: string; arch: string }[] };
    };
    expect(diff.images.added).toEqual([]);
    expect(diff.images.removed).toEqual([]);
    expect(diff.images.changed.map((c) => [c.variant, c.subvariant, c.arch])).toEqual([["Spins", "Xfce", "x86_64"]]);

    // The pieces are separate processes while up …
    expect(processesMentioning(dataDir).some((l) => l.includes("start-dev"))).toBe(true);
    expect(processesMentioning(dataDir).some((l) => l.includes("postgres"))).toBe(true);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(output).toContain("[relengotron] stopped");
    // … and none is left after Ctrl-C.
    expect(processesMentioning(dataDir)).toEqual([]);
  }, 300_000);
});
