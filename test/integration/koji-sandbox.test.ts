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
import { KojiClient, KojiError, TASK_STATES, BUILD_STATES } from "../../src/clients/koji.js";
import { decodeXmlRpc, encodeMethodCall, XmlRpcDouble, type XmlRpcValue } from "../../src/clients/xmlrpc-client.js";
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

  it("runs an image build to completion; listRPMs(imageID) and downloadTaskOutput match the seed", async () => {
    const ks = description("fedora-cloud-base.ks");
    const out = await python(
      `import hashlib, time, koji
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
data = s.downloadTaskOutput(child["id"], qcow["filename"])
part = s.downloadTaskOutput(child["id"], qcow["filename"], offset=100, size=50)
tail = s.downloadTaskOutput(child["id"], qcow["filename"], offset=-10)
print(json.dumps({
    "state": info["state"], "result": s.getTaskResult(task),
    "children": [[c["method"], c["arch"], c["state"]] for c in children],
    "build": build, "archives": archives, "qcow": qcow,
    "comps": [[r["name"], r["version"], r["release"], r["arch"]] for r in comps],
    "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
    "head": data[:8192].decode("latin1"),
    "part_ok": part == data[100:150], "tail_ok": tail == data[-10:],
    "outputs": s.listTaskOutput(child["id"]),
    "tagged": [b["nvr"] for b in s.listTagged("f46", package="Fedora-Cloud-Base")],
    "listed": [[t["id"], t["method"], t["owner_name"], t["request"][:21]] for t in s.listTasks(opts={"method": "image", "parent": None})],
    "listed_children": sorted(t["method"] for t in s.listTasks(opts={"parent": task, "decode": True}, queryOpts={"order": "id"})),
    "task": task,
    "btype": s.getBuildType(build), "rpm_btype": s.getBuildType("bash-5.3.0-2.fc46"), "no_btype": s.getBuildType("no-such-1-1"),
}))`,
      { url: hub.url, password: PASSWORD, ksurl: FEDORA_KICKSTARTS_URL },
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
    expect(out.part_ok).toBe(true);
    expect(out.tail_ok).toBe(true);
    expect(out.outputs.sort()).toEqual(["Fedora-Cloud-Base-Rawhide-20251101.n.0.x86_64.qcow2", "Fedora-Cloud-Base-Rawhide-20251101.n.0.x86_64.raw.xz", "fedora-cloud-base.ks", "oz-x86_64.log"]);
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
  const events: KojiHubEvent[] = [];
  beforeAll(async () => {
    ({ hub } = await startHub({
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

  it("builds a kiwi image: archives per arch, components per archive, downloadable output", async () => {
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
      const child = children.find((c) => c.arch === arch)!;
      const bytes = await releng.downloadTaskOutput(child.id, image.filename);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(image.checksum);
      expect((await releng.downloadTaskOutput(child.id, image.filename, 5, 10)).equals(bytes.subarray(5, 15))).toBe(true);
      expect(await releng.listTaskOutput(child.id)).toContain(`image-build.${arch}.log`);
      const served = await fetch(releng.imageUrl(build, image.filename));
      expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
    }
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
    expect((await releng.downloadTaskOutput(child!.id, "livemedia-out.log")).toString()).toContain("Error: No package no-such-package available");
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
