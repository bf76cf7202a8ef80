import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestCompose } from "../../src/composedb/ingest.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { wrapImagesFixture, countRows } from "../support/composedb.js";

let t: TestDatabase;
let tmp: string;
beforeAll(async () => {
  t = await createTestDatabase();
  tmp = await mkdtemp(path.join(tmpdir(), "composedb-"));
});
afterAll(async () => {
  await t?.drop();
  await rm(tmp, { recursive: true, force: true });
});
describe("scratch", () => {
  it("src_move", async () => {
    const dir = await wrapImagesFixture("src_move_before.json", path.join(tmp, "b"), { name: "DP", short: "DP", version: "1.0" });
    console.log(await ingestCompose(t.db, dir));
    console.log(await countRows(t.db));
  });
});
