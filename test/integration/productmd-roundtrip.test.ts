// Our productmd reader and writer against the real Python productmd (tools/productmd_tool.py):
// what productmd writes we read identically; what we write productmd loads (byte-identical to
// its own serialisation); rpms.json streams in bounded memory; .gz and http(s) read the same.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ProductmdError,
  readCompose,
  readComposeInfo,
  readImages,
  streamRpms,
  writeComposeMetadata,
  writeComposeTree,
  type ComposeInfo,
  type ComposeMetadata,
  type ImageEntry,
  type Images,
  type RpmEntry,
} from "../../src/productmd/index.js";

const run = promisify(execFile);
const PYTHON = path.resolve(".venv/bin/python");
const TOOL = path.resolve("tools/productmd_tool.py");
const FIXTURES = path.resolve("test/fixtures/productmd");

async function tool(...args: string[]): Promise<string> {
  const { stdout } = await run(PYTHON, [TOOL, ...args], { maxBuffer: 1 << 30 });
  return stdout;
}

async function productmdLoad(dir: string, ...extra: string[]): Promise<any> {
  const { files: _, ...summary } = JSON.parse(await tool("load", dir, "--entries", "always", ...extra));
  return summary;
}

async function productmdValidate(dir: string): Promise<{ code: number; report: any }> {
  try {
    return { code: 0, report: JSON.parse(await tool("validate", dir, "--byte-identical")) };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, report: e.stdout ? JSON.parse(e.stdout) : null };
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sortRpms = (list: RpmEntry[]) =>
  [...list].sort((a, b) => cmp(a.variant, b.variant) || cmp(a.arch, b.arch) || cmp(a.srpmNevra, b.srpmNevra) || cmp(a.nevra, b.nevra));
const sortImages = (list: readonly ImageEntry[]) => [...list].sort((a, b) => cmp(a.variant, b.variant) || cmp(a.arch, b.arch) || cmp(a.path, b.path));

function composeinfoSummary(ci: Omit<ComposeInfo, "headerVersion"> & { headerVersion?: string }) {
  const { headerVersion: _, ...rest } = ci;
  return rest;
}
function imagesSummary(im: Pick<Images, "compose" | "images">) {
  return { compose: im.compose, images: sortImages(im.images) };
}
function rpmsSummary(compose: unknown, entries: RpmEntry[]) {
  const byCategory: Record<string, number> = {};
  const byVariantArch: Record<string, number> = {};
  for (const e of entries) {
    byCategory[e.category] = (byCategory[e.category] ?? 0) + 1;
    byVariantArch[`${e.variant}.${e.arch}`] = (byVariantArch[`${e.variant}.${e.arch}`] ?? 0) + 1;
  }
  return { compose, count: entries.length, byCategory, byVariantArch, entries: sortRpms(entries) };
}

async function allRpms(c: ComposeMetadata): Promise<RpmEntry[]> {
  const out: RpmEntry[] = [];
  for await (const e of c.rpms!) out.push(e);
  return out;
}

/** Our reading of a compose, in the shape `productmd_tool.py load` prints. */
async function ourSummary(location: string) {
  const c = await readCompose(location);
  const rpms = c.rpms ? await allRpms(c) : null;
  return {
    composeinfo: composeinfoSummary(c.composeinfo),
    images: c.images ? imagesSummary(c.images) : null,
    rpms: rpms ? rpmsSummary(c.rpms!.summary!.compose, rpms) : null,
  };
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "productmd-roundtrip-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe("(a) productmd writes, we read", () => {
  it("a generated compose reads as productmd reads it", async () => {
    const dir = path.join(tmp, "gen-small");
    const report = JSON.parse(
      await tool("generate", dir, "--sources", "12", "--variants", "Everything,Server,Workstation,Container", "--arches", "x86_64,aarch64,s390x",
        "--images-per-variant-arch", "2", "--seed", "7", "--type", "production", "--label", "Beta-1.2", "--final"),
    );
    expect(report.rpms).toBeGreaterThan(200);
    expect(report.rpms).toBeLessThan(2000);
    const theirs = await productmdLoad(dir);
    const ours = await ourSummary(dir);
    expect(theirs.rpms.entries).toHaveLength(report.rpms);
    expect(ours.composeinfo).toEqual(theirs.composeinfo);
    expect(ours.images).toEqual(theirs.images);
    expect(ours.rpms).toEqual(theirs.rpms);
    expect(ours.composeinfo.compose.label).toBe("Beta-1.2");
    const c = await readCompose(dir);
    expect(c.status?.status).toBe("FINISHED");
    expect(c.status?.mtime?.getTime()).toBe((await stat(path.join(dir, "STATUS"))).mtime.getTime());
    expect(c.composeinfo.compose.id).toBe((await readFile(path.join(dir, "COMPOSE_ID"), "utf8")).trim());
  });

  it("productmd's own fixtures read as productmd reads them", async () => {
    for (const f of ["composeinfo-1.0.json", "composeinfo-legacy.json"]) {
      const file = path.join(FIXTURES, "composeinfo", f);
      expect(composeinfoSummary(await readComposeInfo(file))).toEqual(await productmdLoad(file, "--kind", "composeinfo"));
    }
    for (const f of ["f20.json", "f23.json", "src_move_before.json", "src_move_after.json"]) {
      const file = path.join(FIXTURES, "images", f);
      expect(imagesSummary(await readImages(file))).toEqual(await productmdLoad(file, "--kind", "images"));
    }
  });

  it("a legacy (0.3) rpm-manifest reads as productmd reads it", async () => {
    const dir = path.join(tmp, "legacy-rpms");
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, "rpm-manifest.json");
    const srpm = "bash-0:4.3.30-2.fc21.src";
    await writeFile(
      file,
      JSON.stringify({
        header: { version: "0.3" },
        payload: {
          compose: { id: "Fedora-21-20141203.0", date: "20141203", respin: 0, type: "production" },
          manifest: {
            Server: {
              i386: { [srpm]: { "bash-0:4.3.30-2.fc21.i686": { path: "Server/i386/os/Packages/bash-4.3.30-2.fc21.i686.rpm", sigkey: "95A43F54", type: "package" } } },
              src: { [srpm]: { path: "Server/source/SRPMS/bash-4.3.30-2.fc21.src.rpm", sigkey: "95a43f54", type: "source" } },
              x86_64: {
                [srpm]: {
                  "bash-0:4.3.30-2.fc21.x86_64": { path: "Server/x86_64/os/Packages/bash-4.3.30-2.fc21.x86_64.rpm", sigkey: "95a43f54", type: "package" },
                  "bash-debuginfo-0:4.3.30-2.fc21.x86_64": { path: "Server/x86_64/debug/bash-debuginfo-4.3.30-2.fc21.x86_64.rpm", sigkey: null, type: "debug" },
                },
              },
            },
          },
        },
      }),
    );
    const theirs = await productmdLoad(file, "--kind", "rpms");
    const stream = streamRpms(file);
    const entries: RpmEntry[] = [];
    for await (const e of stream) entries.push(e);
    expect(rpmsSummary(stream.summary!.compose, entries)).toEqual(theirs);
    expect(stream.summary!.headerVersion).toBe("0.3");
  });

  it("two consecutive composes: the second is the first plus the reported changes", async () => {
    const prev = path.join(tmp, "gen-prev");
    const next = path.join(tmp, "gen-next");
    await tool("generate", prev, "--sources", "40", "--variants", "Everything,Server", "--arches", "x86_64,aarch64", "--seed", "3");
    const report = JSON.parse(
      await tool("generate", next, "--previous", prev, "--upgrade", "4", "--add", "3", "--remove", "2", "--resize-images", "2", "--seed", "4"),
    );
    const theirs = await productmdLoad(next);
    const ours = await ourSummary(next);
    expect(ours).toEqual(theirs);

    const before = await ourSummary(prev);
    const names = (s: typeof ours) => new Set(s.rpms!.entries.map((e) => e.srpmNevra.replace(/-[^-]+-[^-]+$/, "")));
    const srpms = (s: typeof ours) => new Set(s.rpms!.entries.map((e) => e.srpmNevra));
    const gone = [...names(before)].filter((n) => !names(ours).has(n));
    const added = [...names(ours)].filter((n) => !names(before).has(n));
    expect(gone.sort()).toEqual(report.changes.removed);
    expect(added).toHaveLength(report.changes.added);
    for (const old of report.changes.upgraded as string[]) {
      expect(srpms(before).has(old)).toBe(true);
      expect(srpms(ours).has(old)).toBe(false);
    }
    expect(ours.composeinfo.compose.date).toBe("20250102");
    const sizes = (s: typeof ours) => s.images!.images.map((i) => i.size);
    const changed = sizes(ours).filter((size, i) => size !== sizes(before)[i]);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThanOrEqual(2);
  });
});

const COMPOSE = { id: "Fedora-42-20250415.0", date: "20250415", respin: 0, type: "production" as const, label: "RC-1.1", final: true };

function structuredInput() {
  const composeinfo = {
    compose: COMPOSE,
    release: { name: "Fedora", version: "42", short: "Fedora", type: "ga" as const, isLayered: false, internal: false },
    baseProduct: null,
    variants: [
      {
        uid: "Everything",
        id: "Everything",
        name: "Everything",
        type: "variant" as const,
        arches: ["aarch64", "x86_64"],
        parent: null,
        paths: {
          os_tree: { aarch64: "Everything/aarch64/os", x86_64: "Everything/x86_64/os" },
          source_tree: { aarch64: "Everything/source/tree", x86_64: "Everything/source/tree" },
        },
        release: null,
      },
      {
        uid: "Server",
        id: "Server",
        name: "Server",
        type: "variant" as const,
        arches: ["s390x", "x86_64"],
        parent: null,
        paths: { isos: { s390x: "Server/s390x/iso", x86_64: "Server/x86_64/iso" } },
        release: null,
      },
      { uid: "Server-HA", id: "HA", name: "High Availability", type: "addon" as const, arches: ["x86_64"], parent: "Server", paths: {}, release: null },
      { uid: "Server-optional", id: "optional", name: "Optional", type: "optional" as const, arches: ["s390x", "x86_64"], parent: "Server", paths: {}, release: null },
      {
        uid: "Server-SAP",
        id: "SAP",
        name: "SAP Solutions",
        type: "layered-product" as const,
        arches: ["x86_64"],
        parent: "Server",
        paths: {},
        release: { name: "SAP", version: "1.0", short: "SAP", type: "ga" as const, isLayered: true, internal: false },
      },
    ],
  };
  const srpm = "bash-0:5.2.37-1.fc42.src";
  const rpms: RpmEntry[] = [];
  for (const arch of ["aarch64", "x86_64"]) {
    rpms.push({ variant: "Everything", arch, srpmNevra: srpm, nevra: srpm, path: "Everything/source/tree/Packages/b/bash-5.2.37-1.fc42.src.rpm", sigkey: "105ef944", category: "source" });
    rpms.push({ variant: "Everything", arch, srpmNevra: srpm, nevra: `bash-0:5.2.37-1.fc42.${arch}`, path: `Everything/${arch}/os/Packages/b/bash-5.2.37-1.fc42.${arch}.rpm`, sigkey: "105ef944", category: "binary" });
    rpms.push({ variant: "Everything", arch, srpmNevra: srpm, nevra: `bash-debuginfo-0:5.2.37-1.fc42.${arch}`, path: `Everything/${arch}/debug/tree/Packages/b/bash-debuginfo-5.2.37-1.fc42.${arch}.rpm`, sigkey: null, category: "debug" });
  }
  rpms.push({ variant: "Server-HA", arch: "x86_64", srpmNevra: "pacemaker-0:3.0.0-1.fc42.src", nevra: "pacemaker-0:3.0.0-1.fc42.x86_64", path: "Server/x86_64/os/HA/Packages/p/pacemaker-3.0.0-1.fc42.x86_64.rpm", sigkey: "105ef944", category: "binary" });
  const iso = (arch: string, imageArch = arch): ImageEntry => ({
    variant: "Server",
    arch,
    imageArch,
    path: imageArch === "src" ? "Server/source/iso/Fedora-Server-dvd-source-42-1.1.iso" : `Server/${arch}/iso/Fedora-Server-dvd-${arch}-42-1.1.iso`,
    mtime: 1744700000,
    size: imageArch === "src" ? 18_000_000_000 : 2_700_000_000,
    volumeId: `Fedora-S-dvd-${imageArch}-42`,
    type: "dvd",
    format: "iso",
    discNumber: 1,
    discCount: 1,
    // the source DVD is one file, whichever arch lists it
    checksums: { sha256: createHash("sha256").update(imageArch === "src" ? "src" : arch).digest("hex") },
    implantMd5: createHash("md5").update(imageArch === "src" ? "src" : arch).digest("hex"),
    bootable: imageArch !== "src",
    subvariant: "Server",
    unified: false,
    additionalVariants: [],
  });
  const images: ImageEntry[] = [
    iso("x86_64"),
    iso("s390x"),
    // one source DVD, listed under both binary arches (images.json 1.2)
    iso("x86_64", "src"),
    iso("s390x", "src"),
    {
      ...iso("x86_64"),
      path: "Server/x86_64/iso/Fedora-Server-unified-x86_64-42-1.1.iso",
      volumeId: "Fedora-S-unified-x86_64 ünï",
      checksums: { sha256: "ab".repeat(32) },
      subvariant: "Server_Unified",
      unified: true,
      additionalVariants: ["Server-HA"],
    },
    {
      ...iso("x86_64"),
      variant: "Everything",
      path: "Everything/x86_64/images/Fedora-Cloud-Base-Generic-42-1.1.x86_64.qcow2",
      type: "qcow2",
      format: "qcow2",
      volumeId: null,
      implantMd5: null,
      bootable: false,
      subvariant: "Cloud_Base",
      checksums: { sha256: "cd".repeat(32) },
    },
  ];
  return { composeinfo, rpms, images };
}

describe("(b) we write, productmd reads", () => {
  it("writeComposeMetadata: productmd loads it, serialises it identically, and reads back our input", async () => {
    const input = structuredInput();
    const dir = path.join(tmp, "written");
    await writeComposeMetadata(path.join(dir, "compose", "metadata"), input);
    const { code, report } = await productmdValidate(dir);
    expect(report.error).toBeUndefined();
    expect(code).toBe(0);
    expect(Object.values<any>(report.files).map((f) => f.identical)).toEqual([true, true, true]);

    const theirs = await productmdLoad(dir);
    expect(theirs.composeinfo).toEqual({ ...input.composeinfo, variants: [...input.composeinfo.variants].sort((a, b) => cmp(a.uid, b.uid)) });
    expect(theirs.images).toEqual(imagesSummary({ compose: COMPOSE, images: input.images }));
    expect(theirs.rpms).toEqual(rpmsSummary(COMPOSE, input.rpms));
  });

  it("writeComposeMetadata refuses invalid input before writing anything", async () => {
    const input = structuredInput();
    input.rpms[1] = { ...input.rpms[1]!, category: "source" };
    const dir = path.join(tmp, "refused");
    const err = await writeComposeMetadata(path.join(dir, "compose", "metadata"), input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProductmdError);
    expect((err as ProductmdError).jsonPath).toBe("[1].category");
    await expect(stat(dir)).rejects.toThrow(/ENOENT/);
  });

  it("writeComposeTree: a complete compose tree productmd loads, files hard-linked at their productmd paths", async () => {
    const src = path.join(tmp, "tree-sources");
    await mkdir(src, { recursive: true });
    const files: Record<string, string> = {};
    for (const [name, content] of [
      ["bash.src.rpm", "srpm bytes"],
      ["bash.x86_64.rpm", "rpm bytes x86_64"],
      ["bash-debuginfo.x86_64.rpm", "debuginfo bytes"],
      ["boot.iso", "an iso image ".repeat(1000)],
      ["cloud.qcow2", "a qcow2 image ".repeat(500)],
    ]) {
      files[name!] = path.join(src, name!);
      await writeFile(files[name!]!, content!);
    }
    const srpm = "bash-0:5.2.37-1.fc42.src";
    const top = path.join(tmp, "trees", "Fedora-42-20250415.0");
    const tree = await writeComposeTree(top, {
      composeinfo: {
        compose: COMPOSE,
        release: { name: "Fedora", version: "42", short: "Fedora", type: "ga", isLayered: false, internal: false },
        baseProduct: null,
        variants: [{ uid: "Everything", id: "Everything", name: "Everything", type: "variant", arches: ["x86_64"], parent: null, release: null }],
      },
      rpms: [
        { variant: "Everything", arch: "x86_64", nevra: srpm, category: "source", sigkey: "105ef944", sourceFile: files["bash.src.rpm"] },
        { variant: "Everything", arch: "x86_64", nevra: "bash-0:5.2.37-1.fc42.x86_64", srpmNevra: srpm, category: "binary", sigkey: "105ef944", sourceFile: files["bash.x86_64.rpm"] },
        { variant: "Everything", arch: "x86_64", nevra: "bash-debuginfo-0:5.2.37-1.fc42.x86_64", srpmNevra: srpm, category: "debug", sigkey: "105ef944", sourceFile: files["bash-debuginfo.x86_64.rpm"] },
      ],
      images: [
        { variant: "Everything", arch: "x86_64", fileName: "Fedora-Everything-netinst-x86_64-42-1.1.iso", type: "boot", format: "iso", subvariant: "Everything", volumeId: "Fedora-E-dvd-x86_64-42", sourceFile: files["boot.iso"] },
        { variant: "Everything", arch: "x86_64", fileName: "Fedora-Cloud-Base-Generic-42-1.1.x86_64.qcow2", type: "qcow2", format: "qcow2", subvariant: "Cloud_Base", sourceFile: files["cloud.qcow2"] },
      ],
    });

    expect(await readFile(path.join(top, "COMPOSE_ID"), "utf8")).toBe(COMPOSE.id);
    expect(await readFile(path.join(top, "STATUS"), "utf8")).toBe("FINISHED\n");
    const expectedPaths: Record<string, string> = {
      "Everything/source/tree/Packages/b/bash-5.2.37-1.fc42.src.rpm": files["bash.src.rpm"]!,
      "Everything/x86_64/os/Packages/b/bash-5.2.37-1.fc42.x86_64.rpm": files["bash.x86_64.rpm"]!,
      "Everything/x86_64/debug/tree/Packages/b/bash-debuginfo-5.2.37-1.fc42.x86_64.rpm": files["bash-debuginfo.x86_64.rpm"]!,
      "Everything/x86_64/iso/Fedora-Everything-netinst-x86_64-42-1.1.iso": files["boot.iso"]!,
      "Everything/x86_64/images/Fedora-Cloud-Base-Generic-42-1.1.x86_64.qcow2": files["cloud.qcow2"]!,
    };
    for (const [rel, source] of Object.entries(expectedPaths)) {
      const placed = await stat(path.join(top, "compose", rel));
      expect(placed.ino).toBe((await stat(source)).ino);
    }

    const { code, report } = await productmdValidate(top);
    expect(report.error).toBeUndefined();
    expect(code).toBe(0);
    const theirs = await productmdLoad(top);
    expect(new Set(theirs.rpms.entries.map((e: RpmEntry) => e.path))).toEqual(new Set(Object.keys(expectedPaths).filter((p) => p.endsWith(".rpm"))));
    const iso = theirs.images.images.find((i: ImageEntry) => i.format === "iso");
    const isoStat = await stat(files["boot.iso"]!);
    const sha = createHash("sha256");
    for await (const chunk of createReadStream(files["boot.iso"]!)) sha.update(chunk as Buffer);
    expect(iso).toMatchObject({ size: isoStat.size, mtime: Math.floor(isoStat.mtimeMs / 1000), checksums: { sha256: sha.digest("hex") }, bootable: true, imageArch: "x86_64" });
    const everything = theirs.composeinfo.variants[0];
    expect(everything.paths).toMatchObject({
      os_tree: { x86_64: "Everything/x86_64/os" },
      packages: { x86_64: "Everything/x86_64/os/Packages" },
      debug_tree: { x86_64: "Everything/x86_64/debug/tree" },
      source_tree: { x86_64: "Everything/source/tree" },
      isos: { x86_64: "Everything/x86_64/iso" },
      images: { x86_64: "Everything/x86_64/images" },
    });
    expect(theirs.rpms).toEqual(rpmsSummary(COMPOSE, tree.rpms));
    expect(await ourSummary(top)).toEqual(theirs);
  });

  it("writeComposeTree leaves nothing behind when it fails", async () => {
    const parent = path.join(tmp, "trees-fail");
    await mkdir(parent, { recursive: true });
    const { composeinfo } = structuredInput();
    const top = path.join(parent, COMPOSE.id);
    const attempt = writeComposeTree(top, {
      composeinfo,
      images: [{ variant: "Server", arch: "x86_64", fileName: "x.iso", type: "dvd", format: "iso", subvariant: "Server", size: 2048, mtime: 1, checksums: { sha256: "00" }, sourceFile: path.join(parent, "missing.iso") }],
    });
    await expect(attempt).rejects.toThrow(/ENOENT/);
    expect(await readdir(parent)).toEqual([]);
  });
});

describe("(c) streaming a Rawhide-sized rpms.json", () => {
  it("keeps heap growth far below the file size while consuming 300k entries", { timeout: 300_000 }, async () => {
    const dir = path.join(tmp, "gen-large");
    const report = JSON.parse(await tool("generate", dir, "--sources", "9200", "--images-per-variant-arch", "0", "--seed", "11"));
    expect(report.rpms).toBeGreaterThanOrEqual(300_000);
    const file = path.join(dir, "compose", "metadata", "rpms.json");
    const fileSize = (await stat(file)).size;

    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    let maxGrowth = 0;
    let count = 0;
    const byCategory: Record<string, number> = {};
    // a consumer keeping a few entries must not keep the parser's input chunks alive with them
    const kept: RpmEntry[] = [];
    for await (const e of streamRpms(file)) {
      count++;
      byCategory[e.category] = (byCategory[e.category] ?? 0) + 1;
      if (count % 1000 === 0) kept.push(e);
      if (count % 50_000 === 0) {
        gc();
        maxGrowth = Math.max(maxGrowth, process.memoryUsage().heapUsed - before);
      }
    }
    expect(count).toBe(report.rpms);
    expect(kept.length).toBe(Math.floor(count / 1000));
    // a reader that parsed the file whole (or kept its entries) would hold several times the file size here
    expect(maxGrowth).toBeLessThan(fileSize / 20);

    const theirs = JSON.parse(await tool("load", dir, "--entries", "never"));
    expect(theirs.rpms.count).toBe(count);
    expect(byCategory).toEqual(theirs.rpms.byCategory);
  });
});

describe("(d) gzip and http", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    // a static file server over tmp: 404 for what is not there, Last-Modified like real servers
    server = createServer(async (req, res) => {
      const rel = decodeURIComponent(new URL(req.url!, "http://x").pathname);
      const file = path.join(tmp, rel);
      try {
        const st = await stat(file);
        if (!st.isFile()) throw new Error("not a file");
        res.writeHead(200, { "content-length": st.size, "last-modified": st.mtime.toUTCString() });
        if (req.method === "HEAD") res.end();
        else createReadStream(file).pipe(res);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it(".json.gz composes read identically to plain ones, locally and over http", async () => {
    const plain = path.join(tmp, "gz-plain");
    const gz = path.join(tmp, "gz-gz");
    const args = ["--sources", "30", "--variants", "Everything,Workstation", "--images-per-variant-arch", "2", "--seed", "5"];
    await tool("generate", plain, ...args);
    await tool("generate", gz, ...args, "--gzip");
    expect((await readdir(path.join(gz, "compose", "metadata"))).sort()).toEqual(["composeinfo.json.gz", "images.json.gz", "rpms.json.gz"]);

    const ours = await ourSummary(plain);
    expect(await ourSummary(gz)).toEqual(ours);
    expect(await productmdLoad(gz)).toMatchObject({ composeinfo: ours.composeinfo, images: ours.images, rpms: ours.rpms });
    expect(await ourSummary(`${base}/gz-gz/`)).toEqual(ours);
    expect(await ourSummary(`${base}/gz-plain/compose`)).toEqual(ours);

    const remote = await readCompose(`${base}/gz-gz`);
    expect(remote.status?.status).toBe("FINISHED");
    expect(remote.status?.mtime?.getTime()).toBe(Math.floor((await stat(path.join(gz, "STATUS"))).mtimeMs / 1000) * 1000);
  });

  it("our gzip output is what productmd reads, and an absent images.json is absent over http too", async () => {
    const input = structuredInput();
    const dir = path.join(tmp, "written-gz");
    await writeComposeMetadata(path.join(dir, "compose", "metadata"), { composeinfo: input.composeinfo, rpms: input.rpms }, { gzip: true });
    const theirs = await productmdLoad(dir);
    expect(theirs.images).toBeNull();
    expect(theirs.rpms).toEqual(rpmsSummary(COMPOSE, input.rpms));
    const remote = await readCompose(`${base}/written-gz`);
    expect(remote.images).toBeNull();
    expect(remote.status).toBeNull();
    expect(rpmsSummary(COMPOSE, await allRpms(remote))).toEqual(theirs.rpms);
  });

  it("a malformed remote file names its URL and JSON path", async () => {
    const dir = path.join(tmp, "remote-bad", "compose", "metadata");
    await mkdir(dir, { recursive: true });
    const ci = JSON.parse(await tool("load", path.join(FIXTURES, "composeinfo", "composeinfo-1.0.json"), "--kind", "composeinfo"));
    expect(ci.compose.id).toBeTruthy();
    const raw = JSON.parse(await readFile(path.join(FIXTURES, "composeinfo", "composeinfo-1.0.json"), "utf8"));
    raw.payload.variants.Foo.arches = [];
    await writeFile(path.join(dir, "composeinfo.json"), JSON.stringify(raw));
    const err = (await readCompose(`${base}/remote-bad`).catch((e: unknown) => e)) as ProductmdError;
    expect(err).toBeInstanceOf(ProductmdError);
    expect(err.file).toBe(`${base}/remote-bad/compose/metadata/composeinfo.json`);
    expect(err.jsonPath).toBe("payload.variants.Foo.arches");
  });
});
