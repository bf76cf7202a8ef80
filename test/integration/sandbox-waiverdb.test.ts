// The sandbox's WaiverDB as `up` runs it: on the sandbox web port under /waiverdb/api/v1.0, one
// superuser account whose token is kept in the sandbox directory, waivers surviving a restart.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WaiverDbApi } from "../../src/clients/waiverdb.js";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";

let tmp: string;
let sandbox: Sandbox | undefined;
const start = () => startSandbox({ dir: path.join(tmp, "sandbox"), host: "127.0.0.1", kojiPort: 0, webPort: 0, composeRoot: path.join(tmp, "composes"), mirrorDir: path.join(tmp, "mirror") });

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "sandbox-waiverdb-"));
  sandbox = await start();
});
afterAll(async () => {
  await sandbox?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe("the sandbox WaiverDB", () => {
  const waiver = { subject_type: "compose", subject_identifier: "Fedora-Rawhide-20261203.n.0", testcase: "compose.install_default", scenario: "fedora.Everything-boot-iso.x86_64.bios", product_version: "fedora-rawhide", waived: true, comment: "known openQA worker issue" };

  it("creates waivers with its account's token (and proxies for a user), refuses anonymous ones, keeps them across a restart", async () => {
    const s = sandbox!;
    expect(s.waiverdbApiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/waiverdb\/api\/v1\.0$/);
    expect((await readFile(path.join(tmp, "sandbox", "waiverdb-token"), "utf8")).trim()).toBe(s.waiverdbToken);
    await expect(new WaiverDbApi(s.waiverdbApiUrl).create(waiver)).rejects.toThrow(/answered 401/);
    const created = await new WaiverDbApi(s.waiverdbApiUrl, `Bearer ${s.waiverdbToken}`).create({ ...waiver, username: "alice" });
    expect(created).toMatchObject({ id: 1, username: "alice", proxied_by: "releng", subject: { "productmd.compose.id": waiver.subject_identifier }, scenario: waiver.scenario });
    const about = await fetch(`${s.waiverdbApiUrl}/about`);
    expect(about.status).toBe(200);

    await s.close();
    sandbox = await start();
    const found = await new WaiverDbApi(sandbox.waiverdbApiUrl).filtered([{ subject_type: "compose", subject_identifier: waiver.subject_identifier, product_version: "fedora-rawhide" }]);
    expect(found.map((w) => [w.id, w.username, w.testcase])).toEqual([[1, "alice", "compose.install_default"]]);
    expect(sandbox.waiverdbToken).toBe(s.waiverdbToken);
  });

  it("a newer waiver for the same subject, testcase and scenario obsoletes the older one; include_obsolete shows both", async () => {
    const api = new WaiverDbApi(sandbox!.waiverdbApiUrl, `Bearer ${sandbox!.waiverdbToken}`);
    await api.create({ ...waiver, waived: false, comment: "fixed, revoke" });
    const filter = [{ subject_identifier: waiver.subject_identifier, testcase: waiver.testcase }];
    expect((await api.filtered(filter)).map((w) => [w.id, w.waived])).toEqual([[2, false]]);
    expect((await api.filtered(filter, true)).map((w) => w.id)).toEqual([2, 1]);
    const listed = (await (await fetch(`${sandbox!.waiverdbApiUrl}/waivers/?subject_identifier=${waiver.subject_identifier}`)).json()) as { data: { id: number }[] };
    // GET /waivers/ groups by username and product version too: alice's and releng's are both current
    expect(listed.data.map((w) => w.id)).toEqual([2, 1]);
  });
});
