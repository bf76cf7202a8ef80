// Real productmd fixtures parse into the normalised shape (expected values read from the files
// with plain JSON.parse), and broken variants of them fail naming the file and the JSON path.
import { mkdtemp, mkdir, readFile, rm, writeFile, copyFile, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ProductmdError,
  parseProductmdNevra,
  readCompose,
  readComposeInfo,
  readImages,
  streamRpms,
  type ImageEntry,
  type RpmEntry,
} from "../../src/productmd/index.js";

const FIXTURES = path.resolve("test/fixtures/productmd");
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "productmd-unit-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function raw(rel: string): Promise<any> {
  return JSON.parse(await readFile(path.join(FIXTURES, rel), "utf8"));
}

let counter = 0;
async function put(name: string, content: string | Buffer): Promise<string> {
  const dir = path.join(tmp, `case-${++counter}`);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, content);
  return file;
}

async function failure(p: Promise<unknown>): Promise<ProductmdError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProductmdError);
  return err as ProductmdError;
}

async function collect(file: string): Promise<RpmEntry[]> {
  const out: RpmEntry[] = [];
  for await (const e of streamRpms(file)) out.push(e);
  return out;
}

/** images.json entries as the file lists them, flattened: the plain reading. */
function flatImages(doc: any): Omit<ImageEntry, "subvariant">[] & { subvariant?: string }[] {
  const out: any[] = [];
  for (const [variant, byArch] of Object.entries<any>(doc.payload.images)) {
    for (const [arch, list] of Object.entries<any[]>(byArch)) {
      for (const im of list) {
        out.push({
          variant,
          arch,
          imageArch: im.arch,
          path: im.path,
          mtime: im.mtime,
          size: im.size,
          volumeId: im.volume_id,
          type: im.type,
          format: im.format,
          discNumber: im.disc_number,
          discCount: im.disc_count,
          checksums: im.checksums,
          implantMd5: im.implant_md5,
          bootable: im.bootable,
          subvariant: im.subvariant,
          unified: im.unified ?? false,
          additionalVariants: im.additional_variants ?? [],
        });
      }
    }
  }
  return out;
}

const byPath = (a: { variant: string; arch: string; path: string }, b: typeof a) =>
  `${a.variant}/${a.arch}/${a.path}`.localeCompare(`${b.variant}/${b.arch}/${b.path}`);

describe("composeinfo fixtures", () => {
  for (const [file, version] of [
    ["composeinfo/composeinfo-1.0.json", "0.3"],
    ["composeinfo/composeinfo-legacy.json", "0.2"],
  ] as const) {
    it(`reads ${file} (header ${version})`, async () => {
      const doc = await raw(file);
      expect(doc.header.version).toBe(version);
      const ci = await readComposeInfo(path.join(FIXTURES, file));
      const p = doc.payload;
      expect(ci.headerVersion).toBe(version);
      // the 0.2 file also stores date/type/respin; productmd derives them from the id, and they agree
      expect(ci.compose).toEqual({ id: p.compose.id, date: p.compose.date, respin: p.compose.respin, type: p.compose.type, label: null, final: false });
      // before 1.0 the release is called "product"
      expect(ci.release).toEqual({
        name: p.product.name,
        version: p.product.version,
        short: p.product.short,
        type: p.product.type,
        isLayered: p.product.is_layered,
        internal: false,
      });
      expect(ci.baseProduct).toEqual({ ...p.base_product, type: "ga" });
      const expected = Object.entries<any>(p.variants)
        .map(([key, v]) => ({
          uid: v.uid,
          id: v.id,
          name: v.name,
          type: v.type,
          arches: [...v.arches].sort(),
          // legacy nesting: "Foo-Bar" is a child of "Foo" because "Foo" exists
          parent: key.includes("-") && key.slice(0, key.lastIndexOf("-")) in p.variants ? key.slice(0, key.lastIndexOf("-")) : null,
          paths: {},
          release: null,
        }))
        .sort((a, b) => a.uid.localeCompare(b.uid));
      expect(ci.variants).toEqual(expected);
      expect(ci.variants.find((v) => v.uid === "Foo-Bar")?.parent).toBe("Foo");
    });
  }
});

describe("images fixtures", () => {
  it("reads f20.json (1.0, no subvariant: productmd's default is empty)", async () => {
    const doc = await raw("images/f20.json");
    const images = await readImages(path.join(FIXTURES, "images/f20.json"));
    expect(images.headerVersion).toBe("1.0");
    expect(images.compose).toEqual({ ...doc.payload.compose, label: null, final: false });
    const expected = flatImages(doc).map((im) => ({ ...im, subvariant: "" }));
    expect(expected.every((im: any) => im.format !== undefined)).toBe(true);
    expect(images.images).toEqual(expected.sort(byPath));
  });

  it("reads f23.json (1.1, with subvariant)", async () => {
    const doc = await raw("images/f23.json");
    const images = await readImages(path.join(FIXTURES, "images/f23.json"));
    expect(images.headerVersion).toBe("1.1");
    expect(images.compose.id).toBe(doc.payload.compose.id);
    expect(images.images).toEqual(flatImages(doc).sort(byPath));
    expect(images.images.map((i) => i.subvariant).sort()).toEqual(["", "", "KDE"]);
  });

  it("reads src_move_after.json (1.2: source images listed under binary arches)", async () => {
    const doc = await raw("images/src_move_after.json");
    const images = await readImages(path.join(FIXTURES, "images/src_move_after.json"));
    expect(images.headerVersion).toBe("1.2");
    expect(images.images).toEqual(flatImages(doc).sort(byPath));
    expect(images.images.some((i) => i.imageArch === "src")).toBe(true);
  });

  it("reads src_move_before.json (1.1 'src' arch key) as the same images as its 1.2 counterpart", async () => {
    const before = await raw("images/src_move_before.json");
    expect(Object.keys(before.payload.images.Server)).toContain("src");
    const oldFormat = await readImages(path.join(FIXTURES, "images/src_move_before.json"));
    const newFormat = await readImages(path.join(FIXTURES, "images/src_move_after.json"));
    expect(oldFormat.images.some((i) => i.arch === "src")).toBe(false);
    expect(oldFormat.images).toEqual(newFormat.images);
  });
});

describe("malformed files", () => {
  it("wrong type: names file and JSON path", async () => {
    const doc = await raw("images/f23.json");
    doc.payload.images.Live.x86_64[0].size = "1291845632";
    const file = await put("images.json", JSON.stringify(doc));
    const err = await failure(readImages(file));
    expect(err.file).toBe(file);
    expect(err.jsonPath).toBe("payload.images.Live.x86_64[0].size");
    expect(err.message).toBe(`${file}: payload.images.Live.x86_64[0].size: expected number, got "1291845632"`);
  });

  it("missing field", async () => {
    const doc = await raw("composeinfo/composeinfo-1.0.json");
    delete doc.payload.variants["Foo-Bar"].name;
    const file = await put("composeinfo.json", JSON.stringify(doc));
    const err = await failure(readComposeInfo(file));
    expect(err.message).toBe(`${file}: payload.variants["Foo-Bar"].name: missing (expected string)`);
  });

  it("missing subvariant is an error from 1.1 on", async () => {
    const doc = await raw("images/f23.json");
    delete doc.payload.images.Server.x86_64[1].subvariant;
    const file = await put("images.json", JSON.stringify(doc));
    const err = await failure(readImages(file));
    expect(err.jsonPath).toBe("payload.images.Server.x86_64[1].subvariant");
  });

  it("unknown image type is rejected, as productmd rejects it", async () => {
    const doc = await raw("images/f20.json");
    doc.payload.images.Fedora.x86_64[1].type = "floppy";
    const file = await put("images.json", JSON.stringify(doc));
    const err = await failure(readImages(file));
    expect(err.jsonPath).toBe("payload.images.Fedora.x86_64[1].type");
    expect(err.detail).toMatch(/^expected one of appx, boot, .*got "floppy"$/);
  });

  it("header type must match from 1.1 on", async () => {
    const doc = await raw("images/f23.json");
    doc.header.type = "productmd.rpms";
    const file = await put("images.json", JSON.stringify(doc));
    const err = await failure(readImages(file));
    expect(err.message).toBe(`${file}: header.type: expected "productmd.images", got "productmd.rpms"`);
  });

  it("bad compose type", async () => {
    const doc = await raw("images/f23.json");
    doc.payload.compose.type = "weekly";
    const file = await put("images.json", JSON.stringify(doc));
    const err = await failure(readImages(file));
    expect(err.message).toBe(`${file}: payload.compose.type: expected one of production, nightly, test, ci, development, got "weekly"`);
  });

  it("variant uid not aligned with its parent", async () => {
    const doc = await raw("composeinfo/composeinfo-1.0.json");
    doc.payload.variants["Foo-Bar"].id = "Baz";
    const file = await put("composeinfo.json", JSON.stringify(doc));
    const err = await failure(readComposeInfo(file));
    expect(err.jsonPath).toBe('payload.variants["Foo-Bar"].uid');
  });

  it("truncated JSON: names where it stopped", async () => {
    const text = await readFile(path.join(FIXTURES, "images/f23.json"), "utf8");
    const cut = text.indexOf('"volume_id": "Fedora-S-23-x86_64"');
    const file = await put("images.json", text.slice(0, cut + 20));
    const err = await failure(readImages(file));
    expect(err.jsonPath).toBe("payload.images.Server.x86_64[0].volume_id");
    expect(err.detail).toMatch(/unexpected end of JSON/);
  });

  it("JSON syntax error", async () => {
    const text = await readFile(path.join(FIXTURES, "images/f23.json"), "utf8");
    const file = await put("images.json", text.replace('"bootable": true,', '"bootable": tru,'));
    const err = await failure(readImages(file));
    expect(err.jsonPath).toBe("payload.images.Live.x86_64[0].bootable");
    expect(err.detail).toMatch(/^invalid JSON/);
  });

  it("bad gzip", async () => {
    const file = await put("images.json.gz", Buffer.from("this is not gzip at all"));
    const err = await failure(readImages(file));
    expect(err.file).toBe(file);
    expect(err.detail).toMatch(/^corrupt gzip data/);
  });

  it("truncated gzip", async () => {
    const gz = gzipSync(await readFile(path.join(FIXTURES, "images/f23.json")));
    const file = await put("images.json.gz", gz.subarray(0, Math.floor(gz.length / 2)));
    const err = await failure(readImages(file));
    expect(err.file).toBe(file);
    expect(err.detail).toMatch(/gzip|unexpected end/);
  });

  it("reads a good .gz like the plain file", async () => {
    const file = await put("images.json.gz", gzipSync(await readFile(path.join(FIXTURES, "images/f23.json"))));
    expect(await readImages(file)).toEqual(await readImages(path.join(FIXTURES, "images/f23.json")));
  });
});

const COMPOSE = { date: "20250101", id: "Fedora-Rawhide-20250101.n.0", respin: 0, type: "nightly" };
const BASH_SRC = "bash-0:5.2.37-1.fc44.src";
const BASH = "bash-0:5.2.37-1.fc44.x86_64";

function rpmsDoc(): any {
  return {
    header: { type: "productmd.rpms", version: "1.2" },
    payload: {
      compose: { ...COMPOSE },
      rpms: {
        Everything: {
          x86_64: {
            [BASH_SRC]: {
              [BASH]: { category: "binary", path: "Everything/x86_64/os/Packages/b/bash-5.2.37-1.fc44.x86_64.rpm", sigkey: "105EF944" },
              [BASH_SRC]: { category: "source", path: "Everything/source/tree/Packages/b/bash-5.2.37-1.fc44.src.rpm", sigkey: "105ef944" },
              "bash-debuginfo-0:5.2.37-1.fc44.x86_64": { category: "debug", path: "Everything/x86_64/debug/tree/Packages/b/bash-debuginfo-5.2.37-1.fc44.x86_64.rpm", sigkey: null },
            },
          },
        },
      },
    },
  };
}

describe("rpms.json streaming", () => {
  it("yields every entry, normalised", async () => {
    const doc = rpmsDoc();
    const file = await put("rpms.json", JSON.stringify(doc, null, 4));
    const stream = streamRpms(file);
    const entries = await collect(file);
    const group = doc.payload.rpms.Everything.x86_64[BASH_SRC];
    expect(entries).toEqual(
      Object.entries<any>(group).map(([nevra, e]) => ({
        variant: "Everything",
        arch: "x86_64",
        srpmNevra: BASH_SRC,
        nevra,
        path: e.path,
        sigkey: e.sigkey === null ? null : e.sigkey.toLowerCase(),
        category: e.category,
      })),
    );
    expect(await stream.validate()).toEqual({ headerVersion: "1.2", compose: { ...COMPOSE, label: null, final: false }, count: 3 });
    expect(parseProductmdNevra(entries[0]!.nevra)).toEqual({ name: "bash", epoch: 0, version: "5.2.37", release: "1.fc44", arch: "x86_64" });
  });

  it("bad category: the error names file and full JSON path", async () => {
    const doc = rpmsDoc();
    doc.payload.rpms.Everything.x86_64[BASH_SRC][BASH].category = "bin";
    const file = await put("rpms.json", JSON.stringify(doc));
    const err = await failure(collect(file));
    expect(err.message).toBe(
      `${file}: payload.rpms.Everything.x86_64["${BASH_SRC}"]["${BASH}"].category: expected one of binary, debug, source, got "bin"`,
    );
  });

  it("category must fit the RPM's arch", async () => {
    const doc = rpmsDoc();
    doc.payload.rpms.Everything.x86_64[BASH_SRC][BASH].category = "source";
    const err = await failure(collect(await put("rpms.json", JSON.stringify(doc))));
    expect(err.jsonPath).toBe(`payload.rpms.Everything.x86_64["${BASH_SRC}"]["${BASH}"].category`);
  });

  it("NEVRA without epoch", async () => {
    const doc = rpmsDoc();
    const group = doc.payload.rpms.Everything.x86_64[BASH_SRC];
    group["bash-5.2.37-1.fc44.x86_64"] = group[BASH];
    delete group[BASH];
    const err = await failure(collect(await put("rpms.json", JSON.stringify(doc))));
    expect(err.jsonPath).toBe(`payload.rpms.Everything.x86_64["${BASH_SRC}"]["bash-5.2.37-1.fc44.x86_64"]`);
    expect(err.detail).toMatch(/missing epoch/);
  });

  it("'src' is not a tree arch in rpms.json", async () => {
    const doc = rpmsDoc();
    doc.payload.rpms.Everything.src = doc.payload.rpms.Everything.x86_64;
    const err = await failure(collect(await put("rpms.json", JSON.stringify(doc))));
    expect(err.jsonPath).toBe("payload.rpms.Everything.src");
  });

  it("missing payload.rpms", async () => {
    const doc = rpmsDoc();
    delete doc.payload.rpms;
    const err = await failure(collect(await put("rpms.json", JSON.stringify(doc))));
    expect(err.message).toMatch(/: payload\.rpms: missing$/);
  });

  it("a problem at the end of the file stops the iteration before it completes", async () => {
    const doc = rpmsDoc();
    // header after payload: only the end of the file reveals the bad header
    const text = JSON.stringify({ payload: doc.payload, header: { type: "productmd.rpms", version: "one" } });
    const file = await put("rpms.json", text);
    const stream = streamRpms(file);
    let seen = 0;
    let completed = false;
    const err = await failure(
      (async () => {
        for await (const _ of stream) seen++;
        completed = true;
      })(),
    );
    expect(err.jsonPath).toBe("header.version");
    expect(completed).toBe(false);
    expect(stream.summary).toBeNull();
    // validate() finds it without handing out any entry
    await failure(stream.validate());
    expect(seen).toBeLessThanOrEqual(3);
  });

  it("truncated rpms.json names the entry it stopped in", async () => {
    const text = JSON.stringify(rpmsDoc(), null, 4);
    const file = await put("rpms.json", text.slice(0, text.indexOf('"sigkey": "105ef944"') + 12));
    const err = await failure(collect(file));
    expect(err.jsonPath).toBe(`payload.rpms.Everything.x86_64["${BASH_SRC}"]["${BASH_SRC}"].sigkey`);
  });

  it("a syntax error deep in a large file is located exactly", async () => {
    const doc = rpmsDoc();
    const group = doc.payload.rpms.Everything.x86_64;
    for (let i = 0; i < 6000; i++) {
      group[`pkg${i}-0:1.0-1.fc44.src`] = {
        [`pkg${i}-0:1.0-1.fc44.x86_64`]: { category: "binary", path: `Everything/x86_64/os/Packages/p/pkg${i}-1.0-1.fc44.x86_64.rpm`, sigkey: "105ef944" },
      };
    }
    const text = JSON.stringify(doc, null, 4);
    const at = text.indexOf('"pkg5555-1.0-1.fc44.x86_64.rpm"'.replace('"pkg', '"Everything/x86_64/os/Packages/p/pkg'));
    expect(at).toBeGreaterThan(1_000_000);
    const file = await put("rpms.json", text.slice(0, at - 1) + "," + text.slice(at - 1));
    const err = await failure(collect(file));
    expect(err.jsonPath).toBe('payload.rpms.Everything.x86_64["pkg5555-0:1.0-1.fc44.src"]["pkg5555-0:1.0-1.fc44.x86_64"].path');
    expect(err.detail).toMatch(/^invalid JSON/);
  });

  it("corrupt rpms.json.gz", async () => {
    const gz = gzipSync(Buffer.from(JSON.stringify(rpmsDoc())));
    gz[gz.length - 6]! ^= 0xff; // break the CRC
    const file = await put("rpms.json.gz", gz);
    const err = await failure(collect(file));
    expect(err.file).toBe(file);
    expect(err.detail).toMatch(/gzip/);
  });
});

describe("readCompose", () => {
  let top: string;
  beforeAll(async () => {
    top = path.join(tmp, "Fedora-Rawhide-20250101.n.0");
    const meta = path.join(top, "compose", "metadata");
    await mkdir(meta, { recursive: true });
    const ci = await raw("composeinfo/composeinfo-1.0.json");
    ci.payload.compose = { ...COMPOSE };
    await writeFile(path.join(meta, "composeinfo.json"), JSON.stringify(ci));
    await writeFile(path.join(meta, "rpms.json.gz"), gzipSync(JSON.stringify(rpmsDoc())));
    await writeFile(path.join(top, "STATUS"), "FINISHED_INCOMPLETE\n");
    await utimes(path.join(top, "STATUS"), new Date("2025-01-01T12:00:00Z"), new Date("2025-01-01T12:00:00Z"));
  });

  it("finds metadata from the top dir, the compose dir and the metadata dir", async () => {
    const fromTop = await readCompose(top);
    const fromCompose = await readCompose(path.join(top, "compose"));
    const fromMeta = await readCompose(path.join(top, "compose", "metadata"));
    for (const c of [fromTop, fromCompose, fromMeta]) {
      expect(c.composeinfo.compose.id).toBe(COMPOSE.id);
      expect(c.location.topDir).toBe(top);
      expect(c.status).toEqual({ status: "FINISHED_INCOMPLETE", mtime: new Date("2025-01-01T12:00:00Z") });
    }
    expect(fromTop.images).toBeNull();
    expect(fromTop.files.images).toBeNull();
    expect(fromTop.files.rpms).toBe(path.join(top, "compose", "metadata", "rpms.json.gz"));
    let n = 0;
    for await (const _ of fromTop.rpms!) n++;
    expect(n).toBe(3);
  });

  it("reads the legacy <top>/<version>/metadata layout", async () => {
    const legacyTop = path.join(tmp, "legacy");
    await mkdir(path.join(legacyTop, "1.0", "metadata"), { recursive: true });
    await copyFile(path.join(FIXTURES, "composeinfo/composeinfo-legacy.json"), path.join(legacyTop, "1.0", "metadata", "composeinfo.json"));
    const c = await readCompose(legacyTop);
    expect(c.composeinfo.headerVersion).toBe("0.2");
    expect(c.rpms).toBeNull();
    expect(c.status).toBeNull();
  });

  it("rpms.json of another compose is an error", async () => {
    const other = path.join(tmp, "mismatch");
    await mkdir(path.join(other, "metadata"), { recursive: true });
    await copyFile(path.join(top, "compose", "metadata", "composeinfo.json"), path.join(other, "metadata", "composeinfo.json"));
    const doc = rpmsDoc();
    doc.payload.compose.id = "Fedora-Rawhide-20250102.n.0";
    doc.payload.compose.date = "20250102";
    await writeFile(path.join(other, "metadata", "rpms.json"), JSON.stringify(doc));
    const err = await failure(readCompose(other, { validateRpms: true }));
    expect(err.jsonPath).toBe("payload.compose.id");
  });

  it("an unknown STATUS is an error naming the file", async () => {
    const dir = path.join(tmp, "badstatus");
    await mkdir(path.join(dir, "compose", "metadata"), { recursive: true });
    await copyFile(path.join(top, "compose", "metadata", "composeinfo.json"), path.join(dir, "compose", "metadata", "composeinfo.json"));
    await writeFile(path.join(dir, "STATUS"), "DONE\n");
    const err = await failure(readCompose(dir));
    expect(err.file).toBe(path.join(dir, "STATUS"));
  });

  it("no metadata at all", async () => {
    const err = await failure(readCompose(path.join(tmp, "nowhere")));
    expect(err.detail).toMatch(/no compose metadata found/);
  });
});
