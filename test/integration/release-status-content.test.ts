// releaseStatus tells a variant with content from an empty one without reading the RPM id arrays
// (pg_column_size against the empty array's): an empty array is empty, a one-element array and a
// large (TOASTed, compressed) one are content. And it asks the newest composes first, in batches.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestCompose } from "../../src/composedb/ingest.js";
import { releaseStatus } from "../../src/composedb/queries.js";
import { createTestDatabase, type TestDatabase } from "../support/db.js";
import { SIZE_HISTORY, writeSizeHistory } from "../support/composedb.js";

let t: TestDatabase;
let tmp: string;

beforeAll(async () => {
  t = await createTestDatabase();
  tmp = await mkdtemp(path.join(tmpdir(), "release-status-"));
  for (const dir of await writeSizeHistory(tmp)) await ingestCompose(t.db, dir);
  // Only Workstation has RPMs; with no images anywhere, RPMs alone decide.
  await t.db.image.deleteMany({});
  await t.db.release.update({ where: { name: SIZE_HISTORY.release }, data: { requiredVariants: ["Workstation"] } });
});
afterAll(async () => {
  await t?.drop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const setIds = (composeId: string, sql: string) =>
  t.db.$executeRawUnsafe(`UPDATE "ComposeRpmSet" SET "rpmIds" = ${sql} WHERE "composeId" = (SELECT id FROM "Compose" WHERE "composeId" = $1)`, composeId);

describe("releaseStatus: which variants have content", () => {
  it("empty arrays are empty; one id or a large compressed array is content", async () => {
    const [newest, before, older] = [...SIZE_HISTORY.composes].reverse().map((c) => c.id) as [string, string, string];
    await setIds(newest, `'{}'::int[]`);
    await setIds(before, `array(SELECT (random() * 3000000)::int FROM generate_series(1, 200000))`);
    let [s] = await releaseStatus(t.db, SIZE_HISTORY.release);
    expect(s!.lastCompose).toMatchObject({ composeId: newest, emptyVariants: expect.arrayContaining(["Workstation"]), missingRequiredVariants: ["Workstation"] });
    expect(s!.lastWorkingNightly?.composeId).toBe(before);

    await setIds(before, `'{7}'::int[]`);
    [s] = await releaseStatus(t.db, SIZE_HISTORY.release);
    expect(s!.lastWorkingNightly?.composeId).toBe(before);

    await setIds(before, `array_remove('{7}'::int[], 7)`);
    [s] = await releaseStatus(t.db, SIZE_HISTORY.release);
    expect(s!.lastWorkingNightly?.composeId).toBe(older);
  });
});
