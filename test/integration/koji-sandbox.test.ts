// The sandbox Koji hub checked against the real Python koji client (CLI and library) and our
// TypeScript KojiClient. Expected values are computed here from the seed data, independently of
// the hub's own query code.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MAX_REQUEST_BYTES, KojiClient, KojiError, TASK_STATES, BUILD_STATES, kojiBuildSchema, taskResultOf } from "../../src/clients/koji.js";
import { downloadImageArchive } from "../../src/clients/koji-files.js";
import { decodeXmlRpc, encodeMethodCall, multicallRequestBytes, XmlRpcClient, XmlRpcDouble, type XmlRpcValue } from "../../src/clients/xmlrpc-client.js";
import { KojiHub, type KojiHubEvent, type KojiHubOptions } from "../../src/sandbox/koji-hub.js";
import { FEDORA_KICKSTARTS_URL, FEDORA_KIWI_URL, fedoraRawhideSeed as seed, type KojiSeed } from "../../src/sandbox/koji-seed.js";

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const KOJI_CLI = path.join(ROOT, ".venv/bin/koji");
const PYTHON = path.join(ROOT, ".venv/bin/python");
const PASSWORD = "sandbox-secret";

function requirePythonPeers(): void {
  for (const bin of [KOJI_CLI, PYTHON]) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: \`./run test\` installs the Python peers (koji 1.36.1) into .venv`);
  }
}

// --- expectations from the seed ------------------------------------------------------------------

type SeedBuild = KojiSeed["builds"][number];
const nvrOf = (b: { name: string; version: string; release: string }) => `${b.name}-${b.version}-${b.release}`;
const seedBuild = (nvr: string): SeedBuild => {
  const b = seed.builds.find((x) => nvrOf(x) === nvr);
  if (!b) throw new Error(`seed has no build ${nvr}`);
  return b;
};

/** Builds tagged in `tag` after replaying the seed history, oldest tagging first. */
function seedTagged(tag: string): SeedBuild[] {
  const active: string[] = [];
  for (const h of seed.history) {
    if (h.tag !== tag) continue;
    if (h.op === "tag") active.push(h.nvr);
    else active.splice(active.indexOf(h.nvr), 1);
  }
  return active.map(seedBuild);
}

/** Koji's "latest": the most recently tagged build of each package. */
function seedLatest(tag: string): SeedBuild[] {
  const byName = new Map<string, SeedBuild>();
  for (const b of seedTagged(tag)) byName.set(b.name, b);
  return [...byName.values()];
}

/** The CLI's list-tagged/latest-build table: "%-40s  %-20s  %s", sorted. */
function buildTable(builds: SeedBuild[], tag: string): string {
  const header = `${"Build".padEnd(40)}  ${"Tag".padEnd(20)}  Built by\n${"-".repeat(40)}  ${"-".repeat(20)}  ${"-".repeat(16)}\n`;
  const lines = builds.map((b) => `${nvrOf(b).padEnd(40)}  ${tag.padEnd(20)}  ${b.owner}`).sort();
  return header + lines.map((l) => `${l}\n`).join("");
}

interface SeedRpm {
  name: string;
  arch: string;
  version: string;
  release: string;
  epoch: number | null;
  size: number;
  requires: string[];
  provides: string[];
}

function rpmsOf(b: SeedBuild): SeedRpm[] {
  return b.rpms.map((r) => ({
    name: r.name ?? b.name,
    arch: r.arch,
    version: b.version,
    release: b.release,
    epoch: b.epoch ?? null,
    size: r.size,
    requires: r.requires ?? [],
    provides: r.provides ?? [],
  }));
}

const nevraOf = (r: SeedRpm) => `${r.name}-${r.epoch ? `${r.epoch}:` : ""}${r.version}-${r.release}.${r.arch}`;

/**
 * What an image for `arch` must contain: the description's packages closed over requires, using
 * the sandbox's documented rule (an RPM of that name, else a provider already chosen, else the
 * alphabetically first provider).
 */
function expectedImage(description: { packages: string[]; archPackages?: Partial<Record<string, string[]>> }, arch: string, builds = seedLatest("f46")): SeedRpm[] {
  const pool = builds.flatMap(rpmsOf).filter((r) => r.arch === arch || r.arch === "noarch");
  const chosen = new Map<string, SeedRpm>();
  const find = (cap: string): SeedRpm => {
    const named = pool.filter((r) => r.name === cap).sort((a, b) => (a.arch === "noarch" ? 1 : 0) - (b.arch === "noarch" ? 1 : 0))[0];
    if (named) return named;
    const providers = pool.filter((r) => r.provides.includes(cap)).sort((a, b) => a.name.localeCompare(b.name));
    const found = providers.find((p) => chosen.has(nevraOf(p))) ?? providers[0];
    if (!found) throw new Error(`seed cannot satisfy ${cap} on ${arch}`);
    return found;
  };
  const todo = [...description.packages, ...(description.archPackages?.[arch] ?? [])].map(find);
  for (const r of todo) chosen.set(nevraOf(r), r);
  for (let i = 0; i < todo.length; i++) {
    for (const cap of todo[i]!.requires) {
      const dep = find(cap);
      if (!chosen.has(nevraOf(dep))) {
        chosen.set(nevraOf(dep), dep);
        todo.push(dep);
      }
    }
  }
  return [...chosen.values()];
}

function description(pathName: string, profile?: string) {
  const d = seed.descriptions.find((x) => x.path === pathName && x.profile === profile);
  if (!d) throw new Error(`seed has no description ${pathName} ${profile ?? ""}`);
  return d;
}

// --- harness -------------------------------------------------------------------------------------

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function startHub(options: Partial<KojiHubOptions> = {}): Promise<{ hub: KojiHub; dir: string }> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "koji-sandbox-"));
  const hub = await KojiHub.start({
    topDir: path.join(dir, "topdir"),
    seed,
    users: [
      { name: "releng", password: PASSWORD },
      { name: "bodhi", password: "bodhi-pw", perms: ["tag"] },
    ],
    taskDurationMs: 100,
    ...options,
  });
  cleanups.push(async () => {
    await hub.close();
    await fs.promises.rm(dir, { recursive: true, force: true });
  });
  return { hub, dir };
}

/** Runs the real koji CLI: `koji --server <url> --noauth …` (the config file only names a profile). */
async function koji(hub: KojiHub, dir: string, ...args: string[]): Promise<string> {
  requirePythonPeers();
  const conf = path.join(dir, "koji.conf");
  await fs.promises.writeFile(conf, `[koji]\ntopurl = ${hub.topurl}\n`);
  const { stdout } = await execFileAsync(KOJI_CLI, ["-c", conf, "--server", hub.url, "--noauth", ...args], {
    env: { ...process.env, HOME: dir },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** Runs Python with the koji library; `input` arrives as JSON in $SANDBOX_INPUT, stdout is JSON. */
async function python<T = any>(code: string, input: Record<string, unknown>): Promise<T> {
  requirePythonPeers();
  const { stdout } = await execFileAsync(PYTHON, ["-c", `import json, os\ninp = json.loads(os.environ["SANDBOX_INPUT"])\n${code}`], {
    env: { ...process.env, SANDBOX_INPUT: JSON.stringify(input) },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as T;
}

async function fault(promise: Promise<unknown>): Promise<KojiError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof KojiError) return err;
    throw err;
  }
  throw new Error("expected a KojiError");
}

// --- the real Python koji client against the sandbox -----------------------------------------------

describe("sandbox hub answers the real koji CLI as Koji would", () => {
  let hub: KojiHub;
  let dir: string;
  beforeAll(async () => ({ hub, dir } = await startHub()));

  it("list-tagged f46 lists every tagged build with tag and owner", async () => {
    expect(await koji(hub, dir, "list-tagged", "f46")).toBe(buildTable(seedTagged("f46"), "f46"));
  });

  it("list-tagged --latest keeps the most recently tagged build per package", async () => {
    const out = await koji(hub, dir, "list-tagged", "--latest", "f46");
    expect(out).toBe(buildTable(seedLatest("f46"), "f46"));
    expect(out).toContain("bash-5.3.0-2.fc46");
    expect(out).not.toContain("bash-5.2.37-3.fc43");
  });

  it("list-tagged --inherit on the build tag sees f46's builds through inheritance", async () => {
    const out = await koji(hub, dir, "list-tagged", "--inherit", "--latest", "f46-build");
    expect(out).toBe(buildTable(seedLatest("f46"), "f46"));
    expect(await koji(hub, dir, "list-tagged", "f46-build")).toBe(buildTable([], "f46-build"));
  });

  it("list-tagged --rpms lists every RPM, source RPMs included", async () => {
    const expected = seedTagged("f46")
      .flatMap(rpmsOf)
      .map((r) => `${r.name}-${r.version}-${r.release}.${r.arch}`)
      .sort();
    expect((await koji(hub, dir, "list-tagged", "--rpms", "f46")).trimEnd().split("\n")).toEqual(expected);
  });

  it("list-tagged --rpms --arch filters by arch", async () => {
    const expected = seedTagged("f46")
      .filter((b) => b.name === "grub2")
      .flatMap(rpmsOf)
      .filter((r) => r.arch === "aarch64" || r.arch === "noarch")
      .map((r) => `${r.name}-${r.version}-${r.release}.${r.arch}`)
      .sort();
    expect((await koji(hub, dir, "list-tagged", "--rpms", "--arch", "aarch64", "--arch", "noarch", "f46", "grub2")).trimEnd().split("\n")).toEqual(expected);
  });

  it("latest-build f46 bash", async () => {
    expect(await koji(hub, dir, "latest-build", "f46", "bash")).toBe(buildTable([seedBuild("bash-5.3.0-2.fc46")], "f46"));
  });

  it("call --json-output getBuild <nvr> returns Koji's build map", async () => {
    const b = seedBuild("openssl-1:3.5.4-1.fc46".replace("1:", ""));
    const got = JSON.parse(await koji(hub, dir, "call", "--json-output", "getBuild", nvrOf(b)));
    expect(got).toMatchObject({
      name: "openssl",
      package_name: "openssl",
      version: b.version,
      release: b.release,
      epoch: 1,
      nvr: "openssl-3.5.4-1.fc46",
      state: 1,
      owner_name: b.owner,
      task_id: null,
      draft: false,
      volume_name: "DEFAULT",
      cg_id: null,
    });
    expect(got.id).toBe(got.build_id);
    expect(typeof got.creation_ts).toBe("number");
    expect(got.creation_time).toMatch(/^2025-10-01 \d\d:\d\d:\d\d\+00:00$/);
    expect(JSON.parse(await koji(hub, dir, "call", "--json-output", "getBuild", "no-such-1-1"))).toBeNull();
  });

  it("list-tagged --event=N answers the tag as it was at event N", async () => {
    const before = JSON.parse(await koji(hub, dir, "call", "--json-output", "getLastEvent"));
    hub.createBuild({ name: "bash", epoch: null, version: "5.3.1", release: "1.fc46", rpms: [{ arch: "x86_64", size: 1_930_000, requires: [], provides: ["/bin/sh"] }] });
    hub.tagBuild("f46", "bash-5.3.1-1.fc46", "bodhi");
    const pinned = await koji(hub, dir, "list-tagged", `--event=${before.id}`, "f46", "bash");
    expect(pinned.split("\n")[0]).toMatch(new RegExp(`^Querying at event ${before.id} \\(`));
    expect(pinned.split("\n").slice(1).join("\n")).toBe(buildTable(seedTagged("f46").filter((b) => b.name === "bash"), "f46"));
    expect(pinned).not.toContain("bash-5.3.1-1.fc46");
    const now = await koji(hub, dir, "list-tagged", "--latest", "f46", "bash");
    expect(now).toContain("bash-5.3.1-1.fc46");
    const pinnedLatest = await koji(hub, dir, "list-tagged", "--latest", `--event=${before.id}`, "f46", "bash");
    expect(pinnedLatest).toContain("bash-5.3.0-2.fc46");
  });

  it("reports an unknown tag the way the CLI does", async () => {
    const err = await koji(hub, dir, "list-tagged", "f99").then(
      () => undefined,
      (e: { stderr: string; code: number }) => e,
    );
    expect(err?.code).toBe(2);
    expect(err?.stderr).toContain("No such tag: f99");
  });
});

describe("sandbox hub answers the koji Python library", () => {
  let hub: KojiHub;
  const events: KojiHubEvent[] = [];
  beforeAll(async () => {
    ({ hub } = await startHub());
    hub.on("message", (e) => events.push(e));
  });

  it("runs a multicall from session.multicall(), faults included", async () => {
    const out = await python(
      `import koji
s = koji.ClientSession(inp["url"])
with s.multicall() as m:
    tag = m.getTag("f46")
    build = m.getBuild("bash-5.3.0-2.fc46")
    missing = m.getTag("f99", strict=True)
    latest = m.getLatestBuilds("f46", package="kernel")
    target = m.getBuildTarget("f46")
out = {"tag": tag.result, "build": build.result, "latest": latest.result, "target": target.result}
try:
    missing.result
except koji.GenericError as e:
    out["missing"] = [type(e).__name__, str(e)]
print(json.dumps(out))`,
      { url: hub.url },
    );
    expect(out.tag).toMatchObject({ name: "f46", arches: null, locked: false, perm: null });
    expect(out.build).toMatchObject({ nvr: "bash-5.3.0-2.fc46", owner_name: seedBuild("bash-5.3.0-2.fc46").owner });
    expect(out.latest.map((b: { nvr: string }) => b.nvr)).toEqual([nvrOf(seedLatest("f46").find((b) => b.name === "kernel")!)]);
    expect(out.target).toMatchObject({ name: "f46", build_tag_name: "f46-build", dest_tag_name: "f46" });
    expect(out.missing).toEqual(["GenericError", "No such tagInfo: 'f99'"]);
  });

  it("logs in with a password and tags a build as an authenticated call", async () => {
    const nvr = "foo-cli-2.3.1-1.fc46";
    const out = await python(
      `import koji
anon = koji.ClientSession(inp["url"])
out = {}
try:
    anon.tagBuild("f46-updates-candidate", inp["nvr"])
except koji.ActionNotAllowed as e:
    out["anon"] = str(e)
bad = koji.ClientSession(inp["url"], opts={"user": "releng", "password": "wrong"})
try:
    bad.login()
except koji.AuthError as e:
    out["bad"] = str(e)
s = koji.ClientSession(inp["url"], opts={"user": "releng", "password": inp["password"]})
s.login()
out["header_auth"] = s.sinfo.get("header-auth")
out["user"] = s.getLoggedInUser()["name"]
task = s.tagBuild("f46-updates-candidate", inp["nvr"])
out["task"] = s.getTaskInfo(task, request=True)
out["tagged"] = [b["nvr"] for b in s.listTagged("f46-updates-candidate")]
try:
    s.tagBuild("f46-updates-candidate", "no-such-1-1")
except koji.GenericError as e:
    out["missing"] = str(e)
s.logout()
print(json.dumps(out))`,
      { url: hub.url, password: PASSWORD, nvr },
    );
    expect(out.anon).toBe("you must be logged in for this operation");
    expect(out.bad).toBe("invalid username or password");
    expect(out.header_auth).toBe(true);
    expect(out.user).toBe("releng");
    expect(out.task).toMatchObject({ method: "tagBuild", state: TASK_STATES.CLOSED, parent: null });
    expect(out.tagged).toEqual([nvr]);
    expect(out.missing).toBe("No such build: 'no-such-1-1'");
    const tagEvent = events.find((e) => e.topic === "buildsys.tag" && e.body.name === "foo-cli");
    expect(tagEvent?.body).toMatchObject({ tag: "f46-updates-candidate", version: "2.3.1", release: "1.fc46", user: "releng", owner: "packager", instance: "primary" });
  });

  it("emits tag and build messages that pass the koji-fedoramessaging schemas", async () => {
    const tag = events.find((e) => e.topic === "buildsys.tag");
    expect(tag).toBeDefined();
    hub.createBuild({ name: "libfoo", version: "1.0.1", release: "1.fc46", rpms: [{ arch: "x86_64", size: 46_000, provides: ["libfoo.so.1()(64bit)"] }] });
    const build = events.find((e) => e.topic === "buildsys.build.state.change" && e.body.name === "libfoo");
    expect(build?.body).toMatchObject({ version: "1.0.1", old: null, new: BUILD_STATES.COMPLETE, attribute: "state" });
    const out = await python(
      `from koji_fedoramessaging_messages.tag import TagV1
from koji_fedoramessaging_messages.build import BuildStateChangeV1
TagV1(body=inp["tag"]).validate()
BuildStateChangeV1(body=inp["build"]).validate()
print(json.dumps({"summary": TagV1(body=inp["tag"]).summary}))`,
      { tag: tag!.body, build: build!.body },
    );
    expect(out.summary).toContain(String(tag!.body.name));
  });

  it("runs an image build to completion; listRPMs(imageID) and the image under PathInfo.imagebuild match the seed; the work dir is gone", async () => {
    const ks = description("fedora-cloud-base.ks");
    const out = await python(
      `import hashlib, time, koji, requests
s = koji.ClientSession(inp["url"], opts={"user": "releng", "password": inp["password"]})
s.login()
task = s.buildImageOz("Fedora-Cloud-Base", "Rawhide", ["x86_64"], "f46",
    "https://dl.fedoraproject.org/pub/fedora/linux/development/rawhide/Everything/$arch/os/",
    opts={"ksurl": inp["ksurl"], "kickstart": "fedora-cloud-base.ks", "format": ["qcow2", "raw-xz"], "release": "20251101.n.0"})
deadline = time.time() + 30
while s.getTaskInfo(task)["state"] not in (2, 3, 5) and time.time() < deadline:
    time.sleep(0.05)
info = s.getTaskInfo(task)
children = s.getTaskChildren(task)
child = [c for c in children if c["method"] == "createImage"][0]
build = s.getBuild("Fedora-Cloud-Base-Rawhide-20251101.n.0")
archives = s.listArchives(buildID=build["id"])
qcow = [a for a in archives if a["type_name"] == "qcow2"][0]
comps = s.listRPMs(imageID=qcow["id"])
data = requests.get(koji.PathInfo(topdir=inp["topurl"]).imagebuild(build) + "/" + qcow["filename"]).content
try:
    s.downloadTaskOutput(child["id"], qcow["filename"])
    gone = None
except koji.GenericError as e:
    gone = str(e)
print(json.dumps({
    "state": info["state"], "result": s.getTaskResult(task),
    "children": [[c["method"], c["arch"], c["state"]] for c in children],
    "build": build, "archives": archives, "qcow": qcow,
    "comps": [[r["name"], r["version"], r["release"], r["arch"]] for r in comps],
    "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
    "head": data[:8192].decode("latin1"),
    "gone": gone, "child": child["id"],
    "outputs": s.listTaskOutput(child["id"]), "outputs_stat": s.listTaskOutput(child["id"], stat=True),
    "tagged": [b["nvr"] for b in s.listTagged("f46", package="Fedora-Cloud-Base")],
    "listed": [[t["id"], t["method"], t["owner_name"], t["request"][:21]] for t in s.listTasks(opts={"method": "image", "parent": None})],
    "listed_children": sorted(t["method"] for t in s.listTasks(opts={"parent": task, "decode": True}, queryOpts={"order": "id"})),
    "task": task,
    "btype": s.getBuildType(build), "rpm_btype": s.getBuildType("bash-5.3.0-2.fc46"), "no_btype": s.getBuildType("no-such-1-1"),
}))`,
      { url: hub.url, topurl: hub.topurl, password: PASSWORD, ksurl: FEDORA_KICKSTARTS_URL },
    );
    expect(out.state).toBe(TASK_STATES.CLOSED);
    expect(out.result).toMatch(/^image build results in: .*\/packages\/Fedora-Cloud-Base\/Rawhide\/20251101\.n\.0\/images$/);
    expect(out.children).toEqual([
      ["createImage", "x86_64", TASK_STATES.CLOSED],
      ["tagBuild", "noarch", TASK_STATES.CLOSED],
    ]);
    expect(out.build).toMatchObject({ state: BUILD_STATES.COMPLETE, owner_name: "releng", extra: { typeinfo: { image: {} } } });
    expect(out.archives.map((a: { type_name: string }) => a.type_name).sort()).toEqual(["ks", "qcow2", "raw-xz"]);
    // kojihub.py get_build_type: the legacy image table's {build_id} for images, {rpm: None} for packages.
    expect(out.btype).toEqual({ image: { build_id: out.build.id } });
    expect(out.rpm_btype).toEqual({ rpm: null });
    expect(out.no_btype).toBeNull();

    const expected = expectedImage(ks, "x86_64");
    const key = (r: { name: string; version: string; release: string; arch: string }) => `${r.name}-${r.version}-${r.release}.${r.arch}`;
    expect(out.comps.map(([name, version, release, arch]: string[]) => key({ name: name!, version: version!, release: release!, arch: arch! })).sort()).toEqual(
      expected.map(key).sort(),
    );

    expect(out.qcow.checksum).toBe(out.sha256);
    expect(out.qcow.checksum_type).toBe(2);
    expect(out.qcow.size).toBe(out.size);
    // Image size follows the installed payload: sum of component sizes / 1024 × 0.6 for qcow2.
    expect(out.size).toBe(Math.round((expected.reduce((s, r) => s + r.size, 0) / 1024) * 0.6));
    const listed = (out.head as string).split("\n").filter((l) => /^\S+ [0-9a-f]{32}$/.test(l)).map((l) => l.split(" ")[0]);
    expect(listed.sort()).toEqual(expected.map(nevraOf).sort());
    // Imported, the task's work directory is gone (kojihub.py list_task_output: [] for a pruned
    // work dir; downloadTaskOutput: no such file): images come from the topurl only.
    expect(out.gone).toBe(`no file "${out.qcow.filename}" output by task ${out.child}`);
    expect(out.outputs).toEqual([]);
    expect(out.outputs_stat).toEqual({});
    expect(out.tagged).toEqual(["Fedora-Cloud-Base-Rawhide-20251101.n.0"]);
    expect(out.listed).toEqual([[out.task, "image", "releng", "<?xml version='1.0'?>"]]);
    expect(out.listed_children).toEqual(["createImage", "tagBuild"]);

    // The same bytes are served under the topurl, in Koji's layout.
    const res = await fetch(`${hub.topurl}/packages/Fedora-Cloud-Base/Rawhide/20251101.n.0/images/${out.qcow.filename}`);
    expect(res.status).toBe(200);
    expect(createHash("sha256").update(Buffer.from(await res.arrayBuffer())).digest("hex")).toBe(out.sha256);
  });

  it("agrees with Python's XML-RPC marshalling in both directions", async () => {
    const fromPython = await python<{ xml: string; fault: string }>(
      `import koji.xmlrpcplus as x
val = {"nil": None, "small": 7, "big": 2**40, "huge": 2**62, "neg": -2**35, "float": 2.5,
       "text": "Fedora \\u2603 &<>\\"' \\U0001D53D", "list": [1, True, False, [], {}],
       "bytes": x.xmlrpc_client.Binary(b"\\x00\\x01\\xff"), "when": x.DateTime("20251101T12:30:00")}
print(json.dumps({"xml": x.dumps((val,), methodresponse=1), "fault": x.dumps(x.Fault(1003, "build bash-1-1 already tagged (f46)"))}))`,
      {},
    );
    const decoded = decodeXmlRpc(fromPython.xml);
    expect(decoded).toEqual({
      kind: "response",
      value: {
        nil: null,
        small: 7,
        big: 2 ** 40,
        huge: 2n ** 62n,
        neg: -(2 ** 35),
        float: 2.5,
        text: "Fedora ☃ &<>\"' 𝔽",
        list: [1, true, false, [], {}],
        bytes: Buffer.from([0, 1, 255]),
        when: new Date(Date.UTC(2025, 10, 1, 12, 30)),
      },
    });
    const f = decodeXmlRpc(fromPython.fault);
    expect(f.kind === "fault" && [f.fault.faultCode, f.fault.faultString]).toEqual([1003, "build bash-1-1 already tagged (f46)"]);

    const ours = encodeMethodCall("getBuild", [
      { huge: 2n ** 62n, neg: -(2 ** 35), d: new XmlRpcDouble(3), text: "ü &<> \r\n", bytes: new Uint8Array([0, 255]), when: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)), none: null },
    ] as XmlRpcValue[]);
    const back = await python(
      `import koji.xmlrpcplus as x
params, method = x.loads(inp["xml"])
v = params[0]
print(json.dumps({"method": method, "huge": v["huge"], "neg": v["neg"], "d": [type(v["d"]).__name__, v["d"]], "text": v["text"],
    "bytes": list(v["bytes"].data), "when": v["when"].value, "none": v["none"]}))`,
      { xml: ours },
    );
    expect(back).toEqual({ method: "getBuild", huge: 2 ** 62, neg: -(2 ** 35), d: ["float", 3], text: "ü &<> \r\n", bytes: [0, 255], when: "20250102T03:04:05", none: null });
  });
});

// --- our TypeScript client against the sandbox ------------------------------------------------------

describe("KojiClient against the sandbox hub", () => {
  let hub: KojiHub;
  let anon: KojiClient;
  let releng: KojiClient;
  let dir: string;
  const events: KojiHubEvent[] = [];
  beforeAll(async () => {
    ({ hub, dir } = await startHub({
      descriptions: [...seed.descriptions, { kind: "kickstart", path: "broken.ks", packages: ["bash", "no-such-package"] }],
    }));
    hub.on("message", (e) => events.push(e));
    anon = new KojiClient({ url: hub.url, topurl: hub.topurl });
    releng = new KojiClient({ url: hub.url, topurl: hub.topurl, user: "releng", password: PASSWORD });
    await releng.login();
  });

  it("answers the basics", async () => {
    expect(await anon.hello()).toBe("Hello World");
    expect(await anon.getAPIVersion()).toBe(1);
    expect(await anon.getKojiVersion()).toBe("1.36.1");
    expect(await releng.getLoggedInUser()).toMatchObject({ name: "releng" });
    expect(await anon.getLoggedInUser()).toBeNull();
    const tag = await anon.getTag("f46-build");
    expect(tag).toMatchObject({ name: "f46-build", arches: "x86_64 aarch64 ppc64le s390x", extra: { "mock.package_manager": "dnf" } });
    expect(await anon.getTag("f99")).toBeNull();
    expect(await anon.getBuildTarget("f46")).toMatchObject({ build_tag_name: "f46-build", dest_tag_name: "f46" });
  });

  it("lists tagged builds and RPMs as the seed says", async () => {
    const all = await anon.listTagged("f46");
    expect(all.map((b) => b.nvr).sort()).toEqual(seedTagged("f46").map(nvrOf).sort());
    const latest = await anon.listTagged("f46", { latest: true });
    expect(latest.map((b) => b.nvr).sort()).toEqual(seedLatest("f46").map(nvrOf).sort());
    const inherited = await anon.listTagged("f46-build", { inherit: true, latest: true, package: "kernel" });
    expect(inherited.map((b) => [b.nvr, b.tag_name])).toEqual([[nvrOf(seedLatest("f46").find((b) => b.name === "kernel")!), "f46"]]);

    const { rpms, builds } = await anon.listTaggedRPMS("f46", { latest: true, package: "glibc", arch: ["s390x", "noarch"] });
    const glibc = seedLatest("f46").find((b) => b.name === "glibc")!;
    expect(builds.map((b) => b.nvr)).toEqual([nvrOf(glibc)]);
    expect(rpms.map((r) => `${r.name}.${r.arch}:${r.size}`).sort()).toEqual(
      rpmsOf(glibc)
        .filter((r) => r.arch === "s390x")
        .map((r) => `${r.name}.${r.arch}:${r.size}`)
        .sort(),
    );
  });

  it("gets builds and RPMs by NVR, id and NVRA", async () => {
    const b = seedBuild("systemd-258.1-1.fc46");
    const build = (await anon.getBuild(nvrOf(b)))!;
    expect(build).toMatchObject({ name: "systemd", version: "258.1", release: "1.fc46", state: BUILD_STATES.COMPLETE, owner_name: b.owner });
    expect((await anon.getBuild(build.id))!.nvr).toBe(nvrOf(b));
    expect(await anon.getBuild({ name: "systemd", version: "258.1", release: "1.fc46" })).toMatchObject({ id: build.id });
    expect(await anon.getBuild("systemd-999-1.fc46")).toBeNull();

    const rpms = await anon.listBuildRPMs(build.id);
    expect(rpms.map((r) => `${r.name}.${r.arch}`).sort()).toEqual(rpmsOf(b).map((r) => `${r.name}.${r.arch}`).sort());
    const udev = (await anon.getRPM("systemd-udev-258.1-1.fc46.aarch64"))!;
    expect(udev).toMatchObject({ name: "systemd-udev", arch: "aarch64", build_id: build.id, external_repo_id: 0 });
    expect(udev.size).toBe(rpmsOf(b).find((r) => r.name === "systemd-udev" && r.arch === "aarch64")!.size);
    expect((await anon.getRPM(udev.id))!.payloadhash).toBe(udev.payloadhash);
  });

  it("carries integers beyond 32 and 53 bits", async () => {
    const id = (await anon.call("sandbox.createBuild", [
      { name: "texlive-huge", version: "2025", release: "1.fc46", rpms: [{ arch: "noarch", size: 5_000_000_000, requires: [], provides: [] }] },
    ])) as number;
    const [rpm] = (await anon.listBuildRPMs(id)).filter((r) => r.arch === "noarch");
    expect(rpm!.size).toBe(5_000_000_000);
    expect(await anon.call("echo", [2n ** 60n, -(2n ** 63n), 2 ** 31, 2 ** 53 - 1])).toEqual([2n ** 60n, -(2n ** 63n), 2 ** 31, 2 ** 53 - 1]);
  });

  it("pins listTagged to an event", async () => {
    const before = await anon.getLastEvent();
    const id = (await anon.call("sandbox.createBuild", [
      { name: "kernel", version: "6.18.0", release: "0.rc4.35.fc46", rpms: [{ name: "kernel-core", arch: "x86_64", size: 18_200_000, requires: [], provides: [] }] },
    ])) as number;
    expect(await fault(anon.tagBuild("f46", id))).toMatchObject({ faultClass: "koji.ActionNotAllowed" });
    const task = await releng.tagBuild("f46", id);
    expect((await releng.getTaskInfo(task))!.state).toBe(TASK_STATES.CLOSED);
    const after = await anon.getLastEvent();
    expect(after.id).toBeGreaterThan(before.id);
    const pinned = await anon.listTagged("f46", { event: before.id, package: "kernel", latest: true });
    expect(pinned.map((b) => b.nvr)).toEqual(["kernel-6.18.0-0.rc3.30.fc46"]);
    expect((await anon.listTagged("f46", { package: "kernel", latest: true })).map((b) => b.nvr)).toEqual(["kernel-6.18.0-0.rc4.35.fc46"]);
    expect((await anon.getTag("f46", { event: before.id }))!.query_event).toBe(before.id);

    await releng.untagBuild("f46", id);
    expect((await anon.listTagged("f46", { package: "kernel", latest: true })).map((b) => b.nvr)).toEqual(["kernel-6.18.0-0.rc3.30.fc46"]);
    expect((await anon.listTagged("f46", { event: after.id, package: "kernel", latest: true })).map((b) => b.nvr)).toEqual(["kernel-6.18.0-0.rc4.35.fc46"]);
    expect(events.filter((e) => e.body.release === "0.rc4.35.fc46").map((e) => [e.topic, e.body.user])).toEqual([
      ["buildsys.build.state.change", undefined],
      ["buildsys.tag", "releng"],
      ["buildsys.untag", "releng"],
    ]);
  });

  it("multicalls, with per-call faults", async () => {
    const results = await anon.multicall([
      { method: "getTag", params: ["f46"] },
      { method: "getTag", params: ["f99"], kwargs: { strict: true } },
      { method: "hello" },
    ]);
    expect(results[0]).toMatchObject({ ok: true, value: { name: "f46" } });
    expect(results[1]!.ok).toBe(false);
    if (!results[1]!.ok) {
      expect(results[1]!.fault).toBeInstanceOf(KojiError);
      expect(results[1]!.fault.message).toBe("koji.GenericError: No such tagInfo: 'f99' (koji call getTag)");
    }
    expect(results[2]).toEqual({ ok: true, value: "Hello World" });
  });

  it("builds a kiwi image: archives per arch, components per archive, images downloadable from the topurl, verified", async () => {
    const task = await releng.kiwiBuild("f46", ["x86_64", "aarch64"], FEDORA_KIWI_URL, "Fedora.kiwi", { profile: "Container-Base-Generic", release: "20251102.n.0" });
    const info = await releng.waitForTask(task, { pollMs: 20, timeoutMs: 30_000 });
    expect(info.state).toBe(TASK_STATES.CLOSED);
    const listed = await releng.listTasks({ method: "kiwiBuild", parent: null, createdAfter: info.create_ts - 1 });
    expect(listed.map((t) => [t.id, t.owner_name, t.request])).toEqual([
      [task, "releng", ["f46", ["x86_64", "aarch64"], FEDORA_KIWI_URL, "Fedora.kiwi", { profile: "Container-Base-Generic", release: "20251102.n.0", use_buildroot_repo: true }]],
    ]);
    expect(await releng.listTasks({ method: "kiwiBuild", createdAfter: info.create_ts + 3600 })).toEqual([]);
    const children = await releng.getTaskChildren(task);
    expect(children.map((c) => [c.method, c.arch, c.label]).sort()).toEqual([
      ["createKiwiImage", "aarch64", "aarch64"],
      ["createKiwiImage", "x86_64", "x86_64"],
      ["tagBuild", "noarch", "tag"],
    ]);
    const build = (await releng.getBuild("Fedora-Container-Base-Generic-Rawhide-20251102.n.0"))!;
    expect(build).toMatchObject({ state: BUILD_STATES.COMPLETE, task_id: task, extra: { typeinfo: { image: {} } } });
    const archives = await releng.listArchives({ buildID: build.id, type: "image" });
    expect(archives.map((a) => `${a.arch}:${a.type_name}`).sort()).toEqual(["aarch64:packages", "aarch64:tar", "x86_64:packages", "x86_64:tar"]);
    const desc = description("Fedora.kiwi", "Container-Base-Generic");
    for (const arch of ["x86_64", "aarch64"]) {
      const image = archives.find((a) => a.arch === arch && a.type_name === "tar")!;
      expect(image.filename).toBe(`Fedora-Container-Base-Generic-Rawhide-20251102.n.0.${arch}.oci.tar.xz`);
      const comps = await releng.listRPMs({ imageID: image.id });
      expect(comps.map((r) => `${r.name}.${r.arch}`).sort()).toEqual(
        expectedImage(desc, arch)
          .map((r) => `${r.name}.${r.arch}`)
          .sort(),
      );
      // The task's work directory went at import: the old download path fails.
      const child = children.find((c) => c.arch === arch)!;
      expect(await fault(releng.downloadTaskOutput(child.id, image.filename))).toMatchObject({
        faultClass: "koji.GenericError",
        faultString: `no file "${image.filename}" output by task ${child.id}`,
      });
      expect(await releng.listTaskOutput(child.id)).toEqual([]);
      const target = path.join(dir, "downloads", arch, image.filename);
      const progress: number[] = [];
      const got = await downloadImageArchive(releng, build, image, target, { progressEveryBytes: 1024, onProgress: (p) => progress.push(p.bytes) });
      expect(got).toEqual({ url: releng.imageUrl(build, image.filename), size: image.size, checksum: image.checksum });
      expect(createHash("sha256").update(fs.readFileSync(target)).digest("hex")).toBe(image.checksum);
      expect(progress.at(-1)).toBe(image.size);
      expect(progress.length).toBeGreaterThan(1);
      expect(fs.existsSync(`${target}.part`)).toBe(false);
      // The build's logs moved too, into data/logs/image/<arch>.
      const log = await fetch(`${releng.buildUrl(build)}/data/logs/image/${arch}/image-build.${arch}.log`);
      expect(log.status).toBe(200);
      expect(await log.text()).toContain("Done.");
    }
  });

  it("refuses a download that does not match Koji's archive record, leaving nothing behind", async () => {
    const build = (await releng.getBuild("Fedora-Container-Base-Generic-Rawhide-20251102.n.0"))!;
    const [image] = (await releng.listArchives({ buildID: build.id, type: "image" })).filter((a) => a.type_name === "tar");
    const target = path.join(dir, "tampered", image!.filename);
    await expect(downloadImageArchive(releng, build, { ...image!, checksum: "0".repeat(64) }, target)).rejects.toThrow(
      new RegExp(`sha256 ${image!.checksum} does not match Koji's 0{64} for ${image!.filename.replace(/\./g, "\\.")}$`),
    );
    await expect(downloadImageArchive(releng, build, { ...image!, size: image!.size + 1 }, target)).rejects.toThrow(`${image!.size} bytes, Koji recorded ${image!.size + 1}`);
    await expect(downloadImageArchive(releng, build, { ...image!, size: image!.size - 1 }, target)).rejects.toThrow(`more than the ${image!.size - 1} bytes Koji recorded`);
    await expect(downloadImageArchive(releng, { ...build, release: "no-such" }, image!, target)).rejects.toThrow(/HTTP 404$/);
    expect(fs.readdirSync(path.dirname(target))).toEqual([]);
  });

  it("fails an image build that asks for a package that does not exist", async () => {
    const task = await releng.buildImage("Fedora-Broken-Live", "Rawhide", ["x86_64"], "f46", "broken.ks", "livemedia", { ksurl: FEDORA_KICKSTARTS_URL, release: "1" });
    const info = await releng.waitForTask(task, { pollMs: 20, timeoutMs: 30_000 });
    expect(info.state).toBe(TASK_STATES.FAILED);
    const err = await fault(releng.getTaskResult(task));
    expect(err.faultClass).toBe("koji.LiveMediaError");
    expect(err.faultString).toBe("Error: No package no-such-package available");
    const [child] = await releng.getTaskChildren(task);
    expect(child).toMatchObject({ method: "createLiveMedia", state: TASK_STATES.FAILED });
    // A failed task imports nothing: its work directory stays, and downloadTaskOutput reads it.
    const log = await releng.downloadTaskOutput(child!.id, "livemedia-out.log");
    expect(log.toString()).toContain("Error: No package no-such-package available");
    expect((await releng.downloadTaskOutput(child!.id, "livemedia-out.log", 5, 10)).equals(log.subarray(5, 15))).toBe(true);
    expect((await releng.downloadTaskOutput(child!.id, "livemedia-out.log", -10)).equals(log.subarray(-10))).toBe(true);
    expect(await releng.getBuild("Fedora-Broken-Live-Rawhide-1")).toMatchObject({ state: BUILD_STATES.FAILED });
  });

  it("fails an image build whose packages lose a required soname", async () => {
    const id = (await anon.call("sandbox.createBuild", [
      { name: "libfoo", version: "2.0.0", release: "1.fc46", rpms: [{ arch: "x86_64", size: 47_000, provides: ["libfoo.so.2()(64bit)"] }] },
    ])) as number;
    await releng.tagBuild("f46", id);
    const task = await releng.kiwiBuild("f46", ["x86_64"], FEDORA_KIWI_URL, "Fedora.kiwi", { profile: "Cloud-Base-Generic", release: "20251103.n.0" });
    const info = await releng.waitForTask(task, { pollMs: 20, timeoutMs: 30_000 });
    expect(info.state).toBe(TASK_STATES.FAILED);
    const err = await fault(releng.getTaskResult(task));
    expect(err.faultString).toBe("Error: nothing provides libfoo.so.1()(64bit) needed by foo-cli-2.3.1-1.fc46.x86_64");
    await releng.untagBuild("f46", id);
  });

  it("rejects image builds for unknown descriptions and arches the build tag lacks", async () => {
    const task = await releng.kiwiBuild("f46", ["x86_64"], FEDORA_KIWI_URL, "Fedora.kiwi", { profile: "No-Such-Profile" });
    await releng.waitForTask(task, { pollMs: 20, timeoutMs: 30_000 });
    expect((await fault(releng.getTaskResult(task))).faultString).toMatch(/^Kiwi description Fedora\.kiwi in .* has no profile No-Such-Profile/);
    const riscv = await releng.kiwiBuild("f46", ["riscv64"], FEDORA_KIWI_URL, "Fedora.kiwi", { profile: "Cloud-Base-Generic" });
    await releng.waitForTask(riscv, { pollMs: 20, timeoutMs: 30_000 });
    expect(await fault(releng.getTaskResult(riscv))).toMatchObject({ faultClass: "koji.BuildError", faultString: "Invalid arch for build tag: riscv64" });
    expect(await fault(anon.kiwiBuild("f46", ["x86_64"], FEDORA_KIWI_URL, "Fedora.kiwi"))).toMatchObject({
      faultClass: "koji.ActionNotAllowed",
      faultString: "image permission required (user not logged in)",
    });
  });

  it("gives clear faults for bad input", async () => {
    expect((await fault(anon.listTagged("f99"))).message).toBe("koji.GenericError: No such tagInfo: 'f99' (koji call listTagged)");
    expect(await fault(anon.getBuild("nope-1-1", { strict: true }))).toMatchObject({ faultCode: 1000, faultString: "No such build: 'nope-1-1'" });
    expect(await fault(anon.getBuild("bash"))).toMatchObject({ faultString: "invalid format: bash" });
    expect(await fault(anon.call("getBuild", [3.5]))).toMatchObject({ faultString: "Invalid type for argument: <class 'float'>" });
    expect(await fault(anon.call("listTagged", [[1, 2]]))).toMatchObject({ faultClass: "koji.ParameterError", faultString: "Invalid name or id value: [1, 2]" });
    expect(await fault(anon.call("getTag"))).toMatchObject({ faultClass: "koji.ParameterError", faultString: "getTag() missing 1 required positional argument: 'tagInfo'" });
    expect(await fault(anon.call("getTag", ["f46"], { kwargs: { colour: "blue" } }))).toMatchObject({ faultString: "getTag() got an unexpected keyword argument 'colour'" });
    expect(await fault(anon.call("noSuchMethod"))).toMatchObject({ faultString: "Invalid method: noSuchMethod" });
    expect(await fault(anon.call("sandbox.createBuild", [{ name: "x", version: "1-2", release: "1", rpms: [] }]))).toMatchObject({
      faultClass: "koji.ParameterError",
      faultString: "sandbox.createBuild: version: must be non-empty without '-', '/' or whitespace",
    });
    expect(await fault(anon.downloadTaskOutput(1, "../../etc/passwd"))).toMatchObject({ faultString: "Invalid file name: ../../etc/passwd" });
    await expect(new KojiClient({ url: hub.url, user: "releng", password: "wrong" }).login()).rejects.toMatchObject({ faultClass: "koji.AuthError" });
  });

  it("answers a malformed body with 400 naming the element and position", async () => {
    const res = await fetch(hub.url, { method: "POST", headers: { "Content-Type": "text/xml" }, body: "<methodCall>\n<methodName>hello</methodName>\n<params><param><value><i4>seven</i4></value></param></params></methodCall>" });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^Invalid request: invalid integer "seven" in <i4> \(line 3, column \d+\)/);
    expect((await fetch(hub.url)).status).toBe(405);
  });

  it("rejects forged sessions and out-of-order call numbers", async () => {
    const post = (headers: Record<string, string>) =>
      fetch(hub.url, { method: "POST", headers: { "Content-Type": "text/xml", ...headers }, body: encodeMethodCall("getLoggedInUser", []) }).then(async (r) => decodeXmlRpc(await r.text()));
    const forged = await post({ "Koji-Session-Id": "1", "Koji-Session-Key": "1-forged", "Koji-Session-Callnum": "0" });
    expect(forged.kind === "fault" && forged.fault.faultString).toBe("Invalid session or bad credentials");
    const sinfo = (await anon.call("login", ["bodhi", "bodhi-pw"])) as Record<string, XmlRpcValue>;
    const auth = { "Koji-Session-Id": String(sinfo["session-id"]), "Koji-Session-Key": String(sinfo["session-key"]) };
    expect(await post({ ...auth, "Koji-Session-Callnum": "5" })).toMatchObject({ kind: "response", value: { name: "bodhi" } });
    const replay = await post({ ...auth, "Koji-Session-Callnum": "4" });
    expect(replay.kind === "fault" && [replay.fault.faultCode, replay.fault.faultString]).toEqual([1008, `5 > 4 (session ${sinfo["session-id"]})`]);
  });
});

// --- where real Koji fails, the sandbox fails the same way ------------------------------------------

/** kojihub.py listBuilds: the columns of its query, in no particular order. */
const LIST_BUILDS_FIELDS = [
  "build_id", "version", "release", "epoch", "draft", "state", "completion_time", "promotion_time", "start_time", "source", "extra",
  "creation_event_id", "creation_time", "task_id", "creation_ts", "start_ts", "completion_ts", "promotion_ts", "package_id", "package_name",
  "name", "volume_id", "volume_name", "nvr", "owner_id", "owner_name", "promoter_id", "promoter_name",
];

describe("sandbox hub fails where real Koji fails", () => {
  let hub: KojiHub;
  let dir: string;
  let anon: KojiClient;
  let releng: KojiClient;
  let task: number;
  let failedTask: number;
  beforeAll(async () => {
    ({ hub, dir } = await startHub());
    anon = new KojiClient({ url: hub.url, topurl: hub.topurl });
    releng = new KojiClient({ url: hub.url, topurl: hub.topurl, user: "releng", password: PASSWORD });
    task = await releng.kiwiBuild("f46", ["x86_64"], FEDORA_KIWI_URL, "Fedora.kiwi", { profile: "Cloud-Base-Generic", release: "20251201.n.0" });
    failedTask = await releng.kiwiBuild("f46", ["x86_64"], FEDORA_KIWI_URL, "Fedora.kiwi", { profile: "No-Such-Profile", release: "20251201.n.1" });
    expect((await releng.waitForTask(task, { pollMs: 20, timeoutMs: 30_000 })).state).toBe(TASK_STATES.CLOSED);
    expect((await releng.waitForTask(failedTask, { pollMs: 20, timeoutMs: 30_000 })).state).toBe(TASK_STATES.FAILED);
  });

  it("listBuilds rows carry build_id and no id (kojihub.py listBuilds); getBuild's map has both; the client reads the rows", async () => {
    const out = await python(
      `import koji
s = koji.ClientSession(inp["url"])
rows = s.listBuilds(taskID=inp["task"])
print(json.dumps({"rows": rows, "image": [sorted(r) for r in s.listBuilds(taskID=inp["task"], type="image")],
    "build": sorted(s.getBuild(rows[0]["build_id"]))}))`,
      { url: hub.url, task },
    );
    expect(out.rows).toHaveLength(1);
    expect(Object.keys(out.rows[0]).sort()).toEqual([...LIST_BUILDS_FIELDS].sort());
    expect(out.image).toEqual([[...LIST_BUILDS_FIELDS].sort()]);
    expect(out.build).toEqual([...LIST_BUILDS_FIELDS, "id", "cg_id", "cg_name"].sort());
    // getBuild's schema, which listBuilds used to be parsed with, refuses a real row.
    expect(kojiBuildSchema.safeParse(out.rows[0]).success).toBe(false);
    const [row] = await anon.listBuilds({ taskID: task });
    expect(row).toMatchObject({ build_id: out.rows[0].build_id, nvr: "Fedora-Cloud-Base-Generic-Rawhide-20251201.n.0", task_id: task });
    expect((await anon.listBuilds({ taskID: task, type: "image" })).map((b) => b.build_id)).toEqual([row!.build_id]);
  });

  it("the real CLI's download-build --task-id --type image fetches the images from the topurl and verifies them", async () => {
    requirePythonPeers();
    const cwd = path.join(dir, "cli-download");
    await fs.promises.mkdir(cwd, { recursive: true });
    await koji(hub, dir, "list-tagged", "f46"); // writes the config file the next call uses
    await execFileAsync(KOJI_CLI, ["-c", path.join(dir, "koji.conf"), "--server", hub.url, "--noauth", "download-build", "--type", "image", "--task-id", "--noprogress", String(task)], {
      cwd,
      env: { ...process.env, HOME: dir },
    });
    const [build] = await anon.listBuilds({ taskID: task });
    const archives = await anon.listArchives({ buildID: build!.build_id, type: "image" });
    expect(fs.readdirSync(cwd).sort()).toEqual(archives.map((a) => a.filename).sort());
    for (const a of archives) expect(createHash("sha256").update(fs.readFileSync(path.join(cwd, a.filename))).digest("hex")).toBe(a.checksum);
  });

  it("image paths are PathInfo.imagebuild's, volume included", async () => {
    const topurl = "https://kojipkgs.example.org";
    const client = new KojiClient({ url: "https://koji.example.org/kojihub", topurl: `${topurl}/` });
    const builds = [
      { name: "Fedora-Cloud-Base-Generic", version: "Rawhide", release: "20251201.n.0", volume_name: "DEFAULT" },
      { name: "Fedora-Cloud-Base-Generic", version: "Rawhide", release: "20251201.n.0", volume_name: "archive" },
    ];
    const expected = await python<string[]>(
      `import koji
pi = koji.PathInfo(topdir=inp["topurl"])
print(json.dumps([pi.imagebuild(b) + "/disk.qcow2" for b in inp["builds"]]))`,
      { topurl, builds },
    );
    expect(builds.map((b) => client.imageUrl(b, "disk.qcow2"))).toEqual(expected);
    expect(expected[1]).toBe(`${topurl}/vol/archive/packages/Fedora-Cloud-Base-Generic/Rawhide/20251201.n.0/images/disk.qcow2`);
  });

  it("an image build on another volume is served under vol/<name>/ and downloaded from there, by the client and the real CLI", async () => {
    const { hub: vol, dir: volDir } = await startHub({ imageVolume: "archive" });
    const client = new KojiClient({ url: vol.url, topurl: vol.topurl, user: "releng", password: PASSWORD });
    const t = await client.kiwiBuild("f46", ["x86_64"], FEDORA_KIWI_URL, "Fedora.kiwi", { profile: "Cloud-Base-Generic", release: "20251203.n.0" });
    expect((await client.waitForTask(t, { pollMs: 20, timeoutMs: 30_000 })).state).toBe(TASK_STATES.CLOSED);
    const [build] = await client.listBuilds({ taskID: t });
    expect(build).toMatchObject({ volume_id: 1, volume_name: "archive" });
    expect((await client.listBuilds({ volumeID: 1 })).map((b) => b.build_id)).toEqual([build!.build_id]);
    const image = (await client.listArchives({ buildID: build!.build_id, type: "image" })).find((a) => a.type_name === "qcow2")!;
    // Where a volume-blind client looks, there is nothing.
    expect((await fetch(`${vol.topurl}/packages/${build!.name}/${build!.version}/${build!.release}/images/${image.filename}`)).status).toBe(404);
    const target = path.join(volDir, "volume-download", image.filename);
    const got = await downloadImageArchive(client, build!, image, target);
    expect(got.url).toBe(`${vol.topurl}/vol/archive/packages/${build!.name}/${build!.version}/${build!.release}/images/${image.filename}`);
    const cwd = path.join(volDir, "cli-volume-download");
    await fs.promises.mkdir(cwd, { recursive: true });
    await koji(vol, volDir, "list-tagged", "f46");
    await execFileAsync(KOJI_CLI, ["-c", path.join(volDir, "koji.conf"), "--server", vol.url, "--noauth", "download-build", "--type", "image", "--task-id", "--noprogress", String(t)], {
      cwd,
      env: { ...process.env, HOME: volDir },
    });
    expect(fs.readFileSync(path.join(cwd, image.filename)).equals(fs.readFileSync(target))).toBe(true);
  });

  it("getEvent of a missing event raises GenericError 'query returned no rows' (strict by default); the client answers null", async () => {
    const last = await anon.getLastEvent();
    const missing = last.id + 1000;
    const out = await python(
      `import koji
s = koji.ClientSession(inp["url"])
out = {"lax": s.getEvent(inp["missing"], strict=False), "found": s.getEvent(inp["last"])}
try:
    s.getEvent(inp["missing"])
except koji.GenericError as e:
    out["strict"] = [type(e).__name__, str(e)]
print(json.dumps(out))`,
      { url: hub.url, missing, last: last.id },
    );
    expect(out).toEqual({ lax: null, found: { id: last.id, ts: last.ts }, strict: ["GenericError", "query returned no rows"] });
    expect(await fault(anon.call("getEvent", [missing]))).toMatchObject({ faultClass: "koji.GenericError", faultString: "query returned no rows" });
    expect(await anon.getEvent(missing)).toBeNull();
    expect(await anon.getEvent(last.id)).toEqual(last);
  });

  it("listTasks(decode=True) wraps a closed task's result in a list (kojihub.py _decode_tasks); getTaskResult answers it bare", async () => {
    const out = await python(
      `import koji
s = koji.ClientSession(inp["url"])
rows = {t["id"]: t["result"] for t in s.listTasks(opts={"method": "kiwiBuild", "decode": True})}
print(json.dumps({"closed": rows[inp["task"]], "failed": rows[inp["failed"]], "direct": s.getTaskResult(inp["task"])}))`,
      { url: hub.url, task, failed: failedTask },
    );
    expect(out.direct).toMatch(/^image build results in: .*\/packages\/Fedora-Cloud-Base-Generic\/Rawhide\/20251201\.n\.0\/images$/);
    expect(out.closed).toEqual([out.direct]);
    expect(out.failed).toEqual({ faultCode: 1000, faultString: expect.stringContaining("has no profile No-Such-Profile") });
    const listed = await anon.listTasks({ method: "kiwiBuild" });
    const closed = listed.find((t) => t.id === task)!;
    const failed = listed.find((t) => t.id === failedTask)!;
    expect(closed.result).toEqual([out.direct]);
    expect(taskResultOf(closed)).toEqual({ ok: true, value: await anon.getTaskResult(task) });
    expect(taskResultOf(failed)).toEqual({ ok: false, faultCode: 1000, faultString: out.failed.faultString });
    expect(taskResultOf({ id: 1, result: null })).toBeNull();
  });

  it("multicall fault entries carry a traceback (kojixmlrpc.py multiCall), except re-raised task faults; both clients carry on", async () => {
    const calls = [
      { methodName: "getTag", params: ["f99", { strict: true, __starstar: true }] },
      { methodName: "getTaskResult", params: [failedTask] },
      { methodName: "hello", params: [] },
    ];
    const res = await fetch(hub.url, { method: "POST", headers: { "Content-Type": "text/xml" }, body: encodeMethodCall("system.multicall", [calls]) });
    const decoded = decodeXmlRpc(await res.text());
    expect(decoded.kind).toBe("response");
    const [missing, stored, hello] = (decoded as { value: XmlRpcValue[] }).value as [Record<string, XmlRpcValue>, Record<string, XmlRpcValue>, XmlRpcValue];
    expect(missing).toMatchObject({ faultCode: 1000, faultString: "No such tagInfo: 'f99'" });
    const traceback = missing.traceback as string[];
    expect(traceback[0]).toBe("Traceback (most recent call last):\n");
    expect(traceback.at(-1)).toBe("koji.GenericError: No such tagInfo: 'f99'\n");
    expect(traceback.every((line) => typeof line === "string" && line.endsWith("\n"))).toBe(true);
    expect(Object.keys(stored).sort()).toEqual(["faultCode", "faultString"]);
    expect(hello).toEqual(["Hello World"]);

    const out = await python(
      `import koji
s = koji.ClientSession(inp["url"])
with s.multicall() as m:
    missing = m.getTag("f99", strict=True)
    hello = m.hello()
try:
    missing.result
except koji.GenericError as e:
    print(json.dumps({"missing": str(e), "hello": hello.result}))`,
      { url: hub.url },
    );
    expect(out).toEqual({ missing: "No such tagInfo: 'f99'", hello: "Hello World" });
    const ours = await anon.multicall([{ method: "getTag", params: ["f99"], kwargs: { strict: true } }, { method: "getTaskResult", params: [failedTask] }, { method: "hello" }]);
    expect(ours.map((r) => (r.ok ? r.value : r.fault.faultString))).toEqual(["No such tagInfo: 'f99'", stored.faultString, "Hello World"]);
  });

  it("refuses a 20,000-call multicall as real Koji does (HTTP 400, MaxRequestLength 4 MiB); the client's chunks by encoded size get through", async () => {
    const ids = (await anon.listRPMs({})).map((r) => r.id);
    const calls = Array.from({ length: 20_000 }, (_, i) => ({ method: "getRPMDeps", params: [ids[i % ids.length]!] }));
    expect(multicallRequestBytes(calls)).toBeGreaterThan(DEFAULT_MAX_REQUEST_BYTES);

    const raw = await fetch(hub.url, { method: "POST", headers: { "Content-Type": "text/xml" }, body: encodeMethodCall("system.multicall", [calls.map((c) => ({ methodName: c.method, params: c.params }))]) });
    expect(raw.status).toBe(400);
    expect(raw.headers.get("content-type")).toBe("text/plain");
    expect(raw.headers.get("koji-version")).toBeTruthy();
    expect(await raw.text()).toBe("Invalid request: Request too long\n");

    const py = await python(
      `import koji, requests
s = koji.ClientSession(inp["url"])
m = s.multicall()
for i in range(20000):
    m.getRPMDeps(inp["ids"][i % len(inp["ids"])])
try:
    m.call_all()
    print(json.dumps("accepted"))
except requests.exceptions.HTTPError as e:
    print(json.dumps([e.response.status_code, e.response.text]))`,
      { url: hub.url, ids },
    );
    expect(py).toEqual([400, "Invalid request: Request too long\n"]);

    // One multicall for everything, as the client sent it before: refused.
    await expect(new XmlRpcClient({ url: hub.url }).multicall(calls)).rejects.toMatchObject({ name: "XmlRpcHttpError", status: 400 });

    const sizes: number[] = [];
    const counting: typeof fetch = async (input, init) => {
      sizes.push(Buffer.byteLength(String(init?.body ?? "")));
      return fetch(input, init);
    };
    const chunked = new KojiClient({ url: hub.url, fetch: counting });
    const results = await chunked.multicall(calls);
    expect(results).toHaveLength(20_000);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(sizes.length).toBe(2);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(DEFAULT_MAX_REQUEST_BYTES);
    // In order: each result is that RPM's dependencies.
    const direct = await anon.multicall(ids.map((rpmId) => ({ method: "getRPMDeps", params: [rpmId] })));
    results.slice(0, ids.length * 2).forEach((r, i) => expect(r).toEqual(direct[i % ids.length]));
  });

  it("a hub with a smaller MaxRequestLength: the refused request is split and sent again", async () => {
    const { hub: small } = await startHub({ maxRequestLength: 65_536 });
    const ids = (await new KojiClient({ url: small.url }).listRPMs({})).map((r) => r.id);
    const calls = Array.from({ length: 2_000 }, (_, i) => ({ method: "getRPMDeps", params: [ids[i % ids.length]!] }));
    const statuses: number[] = [];
    const client = new KojiClient({
      url: small.url,
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        statuses.push(res.status);
        return res;
      },
    });
    const results = await client.multicall(calls);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results).toHaveLength(2_000);
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(1);
    // A single call over the limit is named, not retried forever.
    const huge = await client.multicall([{ method: "echo", params: ["x".repeat(70_000)] }]).catch((e: Error) => e);
    expect(huge).toBeInstanceOf(Error);
    expect((huge as Error).message).toMatch(/refused one echo call of \d+ bytes as longer than its MaxRequestLength/);
  });

  it("with a retention, an imported build's work dir holds symlinks to the build's images (move_and_symlink) until it is pruned", async () => {
    const { hub: kept } = await startHub({ taskWorkRetentionMs: 3_600_000 });
    const { hub: pruned } = await startHub({ taskWorkRetentionMs: 200 });
    for (const h of [kept, pruned]) {
      const client = new KojiClient({ url: h.url, topurl: h.topurl, user: "releng", password: PASSWORD });
      const t = await client.kiwiBuild("f46", ["x86_64"], FEDORA_KIWI_URL, "Fedora.kiwi", { profile: "Cloud-Base-Generic", release: "20251202.n.0" });
      expect((await client.waitForTask(t, { pollMs: 20, timeoutMs: 30_000 })).state).toBe(TASK_STATES.CLOSED);
      const child = (await client.getTaskChildren(t)).find((c) => c.method === "createKiwiImage")!;
      const [build] = await client.listBuilds({ taskID: t });
      const image = (await client.listArchives({ buildID: build!.build_id, type: "image" })).find((a) => a.type_name === "qcow2")!;
      if (h === kept) {
        expect(await client.listTaskOutput(child.id)).toContain(image.filename);
        const bytes = await client.downloadTaskOutput(child.id, image.filename);
        expect(createHash("sha256").update(bytes).digest("hex")).toBe(image.checksum);
        const served = Buffer.from(await (await fetch(client.imageUrl(build!, image.filename))).arrayBuffer());
        expect(served.equals(bytes)).toBe(true);
      } else {
        // Pruned after 200 ms: wait for it (bounded), whatever the machine's speed.
        let files = await client.listTaskOutput(child.id);
        for (let i = 0; files.length > 0 && i < 500; i++) {
          await new Promise((r) => setTimeout(r, 20));
          files = await client.listTaskOutput(child.id);
        }
        expect(files).toEqual([]);
        expect(await fault(client.downloadTaskOutput(child.id, image.filename))).toMatchObject({ faultString: `no file "${image.filename}" output by task ${child.id}` });
        expect((await fetch(client.imageUrl(build!, image.filename))).status).toBe(200);
      }
    }
  });
});

describe("sandbox hub task cancellation and persistence", () => {
  it("cancels an image build: parent, children and build", async () => {
    const { hub } = await startHub({ taskDurationMs: 4_000 });
    const client = new KojiClient({ url: hub.url, user: "releng", password: PASSWORD });
    await client.login();
    const task = await client.buildImageOz("Fedora-Cloud-Base", "Rawhide", ["x86_64", "aarch64"], "f46", "https://example.invalid/$arch/os/", {
      kickstart: "fedora-cloud-base.ks",
      ksurl: FEDORA_KICKSTARTS_URL,
      format: ["qcow2"],
    });
    let children = await client.getTaskChildren(task);
    for (let i = 0; children.length < 2 && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      children = await client.getTaskChildren(task);
    }
    expect(children.map((c) => c.state).every((s) => s === TASK_STATES.FREE || s === TASK_STATES.OPEN)).toBe(true);
    const other = new KojiClient({ url: hub.url, user: "bodhi", password: "bodhi-pw" });
    await other.login();
    expect(await fault(other.cancelTask(task))).toMatchObject({ faultClass: "koji.ActionNotAllowed", faultString: "Cannot cancel task, not owner" });
    await client.cancelTask(task);
    expect((await client.getTaskInfo(task))!.state).toBe(TASK_STATES.CANCELED);
    expect((await client.getTaskChildren(task)).map((c) => c.state)).toEqual([TASK_STATES.CANCELED, TASK_STATES.CANCELED]);
    expect((await client.getBuild("Fedora-Cloud-Base-Rawhide-1"))!.state).toBe(BUILD_STATES.CANCELED);
    expect(await fault(client.getTaskResult(task))).toMatchObject({ faultString: `Task ${task} is canceled` });
  });

  it("keeps builds, tag history and events across a restart", async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "koji-sandbox-state-"));
    cleanups.push(() => fs.promises.rm(dir, { recursive: true, force: true }));
    const options: KojiHubOptions = { topDir: path.join(dir, "top"), statePath: path.join(dir, "state", "koji.json"), seed, users: [{ name: "releng", password: PASSWORD }] };
    const first = await KojiHub.start(options);
    const id = first.createBuild({ name: "hello", version: "2.12.2", release: "1.fc46", rpms: [{ arch: "x86_64", size: 90_000 }] });
    const before = first.lastEventId();
    first.tagBuild("f46", "hello-2.12.2-1.fc46");
    const last = first.lastEventId();
    await first.close();
    expect(fs.readFileSync(options.statePath!, "utf8")).not.toContain(PASSWORD);

    const second = await KojiHub.start(options);
    cleanups.push(() => second.close());
    const client = new KojiClient({ url: second.url });
    expect(second.lastEventId()).toBe(last);
    expect((await client.getBuild("hello-2.12.2-1.fc46"))!.id).toBe(id);
    expect((await client.listTagged("f46", { package: "hello" })).map((b) => b.nvr)).toEqual(["hello-2.12.2-1.fc46"]);
    expect(await client.listTagged("f46", { package: "hello", event: before })).toEqual([]);
    expect((await client.listTagged("f46")).length).toBe(seedTagged("f46").length + 1);
    const releng = new KojiClient({ url: second.url, user: "releng", password: PASSWORD });
    await releng.login();
    expect(await releng.getLoggedInUser()).toMatchObject({ name: "releng" });
  });
});
