// Shared by the composedb suites: the real productmd library (tools/productmd_tool.py and small
// inline scripts) to make and read composes, row counts of every composedb table, and a tiny
// static HTTP server for ingest-over-HTTP.
import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import type { Db } from "../../src/db/database.js";
import { writeComposeTree } from "../../src/productmd/index.js";

const run = promisify(execFile);
export const PYTHON = path.resolve(".venv/bin/python");
export const TOOL = path.resolve("tools/productmd_tool.py");
export const PRODUCTMD_FIXTURES = path.resolve("test/fixtures/productmd");
export const FEDORA_MESSAGES = path.resolve("test/fixtures/fedora/messages");

export async function productmdTool(...args: string[]): Promise<string> {
  const { stdout } = await run(PYTHON, [TOOL, ...args], { maxBuffer: 1 << 30 });
  return stdout;
}

export interface GenerateReport {
  outdir: string;
  composeId: string;
  rpms: number;
  images: number;
  changes?: { removed: string[]; upgraded: string[]; added: number };
}

/** `productmd_tool.py generate OUTDIR ...args`: a compose written by productmd's own classes. */
export async function generateCompose(outdir: string, ...args: string[]): Promise<GenerateReport> {
  return JSON.parse(await productmdTool("generate", outdir, ...args)) as GenerateReport;
}

export interface ProductmdRpm {
  variant: string;
  arch: string;
  srpmNevra: string;
  nevra: string;
  path: string;
  sigkey: string | null;
  category: "binary" | "debug" | "source";
}

export interface ProductmdImage {
  variant: string;
  arch: string;
  imageArch: string;
  path: string;
  size: number;
  type: string;
  format: string;
  subvariant: string;
  discNumber: number;
  checksums: Record<string, string>;
}

export interface ProductmdVariant {
  uid: string;
  id: string;
  name: string;
  type: string;
  arches: string[];
  parent: string | null;
}

/** What productmd itself reads from a compose (`productmd_tool.py load --entries always`). */
export interface ProductmdView {
  composeinfo: {
    compose: { id: string; date: string; respin: number; type: string; label: string | null; final: boolean };
    release: { short: string; version: string; name: string; type: string };
    variants: ProductmdVariant[];
  };
  images: { images: ProductmdImage[] } | null;
  rpms: { count: number; entries: ProductmdRpm[] } | null;
}

export async function productmdLoad(location: string): Promise<ProductmdView> {
  return JSON.parse(await productmdTool("load", location, "--entries", "always")) as ProductmdView;
}

export async function productmdValidate(location: string): Promise<{ ok: boolean; error?: string }> {
  try {
    return JSON.parse(await productmdTool("validate", location)) as { ok: boolean };
  } catch (err) {
    const e = err as { stdout?: string };
    return e.stdout ? (JSON.parse(e.stdout) as { ok: boolean; error: string }) : { ok: false, error: String(err) };
  }
}

// productmd has no command for "give this images.json a composeinfo.json": this does it with
// productmd's own classes. The compose section and variants/arches come from images.json as
// productmd loads it; `--compose-id`/`--respin` rewrite the compose (images.json is then dumped
// by productmd too, since images.json must name the same compose as composeinfo.json).
const WRAP_IMAGES_SCRIPT = String.raw`
import argparse, os, shutil
import productmd.composeinfo, productmd.images
p = argparse.ArgumentParser()
p.add_argument("images"); p.add_argument("outdir")
p.add_argument("--release-name", required=True); p.add_argument("--release-short", required=True)
p.add_argument("--release-version", required=True)
p.add_argument("--compose-id"); p.add_argument("--respin", type=int); p.add_argument("--status", default="FINISHED")
a = p.parse_args()
im = productmd.images.Images()
with open(a.images) as f:
    im.load(f)
if a.compose_id:
    im.compose.id = a.compose_id
    if a.respin is not None:
        im.compose.respin = a.respin
ci = productmd.composeinfo.ComposeInfo()
ci.release.name, ci.release.short, ci.release.version = a.release_name, a.release_short, a.release_version
ci.release.type = "ga"
ci.release.is_layered = False
for field in ("id", "type", "date", "respin", "label", "final"):
    setattr(ci.compose, field, getattr(im.compose, field))
for uid in sorted(im.images):
    v = productmd.composeinfo.Variant(ci)
    v.id = v.uid = v.name = uid
    v.type = "variant"
    v.arches = set(im.images[uid])
    ci.variants.add(v)
mdir = os.path.join(a.outdir, "compose", "metadata")
os.makedirs(mdir, exist_ok=True)
with open(os.path.join(mdir, "composeinfo.json"), "w") as f:
    ci.dump(f)
if a.compose_id:
    with open(os.path.join(mdir, "images.json"), "w") as f:
        im.dump(f)
else:
    shutil.copyfile(a.images, os.path.join(mdir, "images.json"))
with open(os.path.join(a.outdir, "COMPOSE_ID"), "w") as f:
    f.write(ci.compose.id)
if a.status:
    with open(os.path.join(a.outdir, "STATUS"), "w") as f:
        f.write(a.status + "\n")
`;

/**
 * A compose tree around one of productmd's real images.json fixtures: the fixture file verbatim
 * (unless `composeId` is given) plus a composeinfo.json written by productmd.
 */
export async function wrapImagesFixture(
  fixture: string,
  outdir: string,
  release: { name: string; short: string; version: string },
  opts: { composeId?: string; respin?: number; status?: string } = {},
): Promise<string> {
  await mkdir(path.dirname(outdir), { recursive: true });
  const args = [
    "-c", WRAP_IMAGES_SCRIPT, path.join(PRODUCTMD_FIXTURES, "images", fixture), outdir,
    "--release-name", release.name, "--release-short", release.short, "--release-version", release.version,
    "--status", opts.status ?? "FINISHED",
  ];
  if (opts.composeId) args.push("--compose-id", opts.composeId);
  if (opts.respin !== undefined) args.push("--respin", String(opts.respin));
  await run(PYTHON, args);
  return outdir;
}

/** Every table composedb writes (the pipeline tables are not touched by ingest). */
export const COMPOSEDB_TABLES = ["Release", "Compose", "Variant", "Image", "Rpm", "Build", "ComposeRpmSet", "UpdatesPush"] as const;

export async function countRows(db: Db): Promise<Record<(typeof COMPOSEDB_TABLES)[number], number>> {
  const out = {} as Record<(typeof COMPOSEDB_TABLES)[number], number>;
  for (const table of COMPOSEDB_TABLES) {
    const [row] = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${table}"`);
    out[table] = row!.n;
  }
  return out;
}

/** "name-epoch:version-release.arch" split without the project's own parser. */
export function splitNevra(nevra: string): { name: string; epoch: number; version: string; release: string; arch: string } {
  const m = /^(.+)-(?:(\d+):)?([^-:]+)-([^-]+)\.([^.]+)$/.exec(nevra);
  if (!m) throw new Error(`test helper: cannot split ${nevra}`);
  return { name: m[1]!, epoch: Number(m[2] ?? 0), version: m[3]!, release: m[4]!, arch: m[5]! };
}

export const evrOf = (nevra: string) => {
  const n = splitNevra(nevra);
  return `${n.epoch}:${n.version}-${n.release}`;
};

/** A static file server over `root` (GET and HEAD, Last-Modified), like a compose mirror. */
export async function serveDirectory(root: string): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    requests.push(`${req.method} ${pathname}`);
    const file = path.join(root, path.normalize(pathname));
    const st = await stat(file).catch(() => null);
    if (!file.startsWith(root) || !st?.isFile()) {
      res.writeHead(404).end("not found");
      return;
    }
    res.writeHead(200, { "Content-Length": st.size, "Last-Modified": st.mtime.toUTCString(), "Content-Type": "application/octet-stream" });
    if (req.method === "HEAD") res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A compose's rpms.json entries as composedb stores them, rebuilt with plain SQL from the
 * compact form (id arrays, common path directory and sigkey plus exceptions): what an export
 * would write.
 */
export async function storedRpmEntries(db: Db, composeId: string): Promise<ProductmdRpm[]> {
  const rows = await db.$queryRaw<
    { variant: string; arch: string; category: ProductmdRpm["category"]; nevra: string; name: string; version: string; release: string; rarch: string; srpm: string | null; id: number; pathDir: string | null; pathExceptions: Record<string, string>; sigkey: string | null; sigkeyExceptions: Record<string, string | null> }[]
  >`
    SELECT s."variantUid" AS variant, s.arch, s.category::text AS category, r.nevra, r.name, r.version, r.release, r.arch AS rarch,
           sr.nevra AS srpm, r.id, s."pathDir", s."pathExceptions", s.sigkey, s."sigkeyExceptions"
    FROM "ComposeRpmSet" s JOIN "Compose" c ON c.id = s."composeId"
    CROSS JOIN LATERAL unnest(s."rpmIds") AS u(id) JOIN "Rpm" r ON r.id = u.id LEFT JOIN "Rpm" sr ON sr.id = r."srpmId"
    WHERE c."composeId" = ${composeId}`;
  return rows
    .map((r) => {
      const file = `${r.name}-${r.version}-${r.release}.${r.rarch}.rpm`;
      const key = String(r.id);
      return {
        variant: r.variant,
        arch: r.arch,
        srpmNevra: r.srpm ?? "(none)",
        nevra: r.nevra,
        path: key in r.pathExceptions ? r.pathExceptions[key]! : `${r.pathDir}/${file[0]!.toLowerCase()}/${file}`,
        sigkey: key in r.sigkeyExceptions ? r.sigkeyExceptions[key]! : r.sigkey,
        category: r.category,
      };
    })
    .sort(compareEntries);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
export const compareEntries = (a: ProductmdRpm, b: ProductmdRpm) =>
  cmp(a.variant, b.variant) || cmp(a.arch, b.arch) || cmp(a.srpmNevra, b.srpmNevra) || cmp(a.nevra, b.nevra);

// ------------------------------------------------------------------ a known image size history

const MiB = 1024 * 1024;

/**
 * Six Fedora-43 composes (one a respin) whose image sizes follow a pattern chosen here, so every
 * expectation about trends, CSV and plots can be worked out from this table. In the third compose
 * libreoffice-core enters Workstation (x86_64 and aarch64) and glibc is upgraded.
 */
export const SIZE_HISTORY = {
  release: "Fedora-43",
  composes: [
    { id: "Fedora-43-20250301.n.0", date: "20250301", respin: 0 },
    { id: "Fedora-43-20250302.n.0", date: "20250302", respin: 0 },
    { id: "Fedora-43-20250303.n.0", date: "20250303", respin: 0 },
    { id: "Fedora-43-20250304.n.0", date: "20250304", respin: 0 },
    { id: "Fedora-43-20250304.n.1", date: "20250304", respin: 1 },
    { id: "Fedora-43-20250305.n.0", date: "20250305", respin: 0 },
  ],
  images: [
    { variant: "Workstation", subvariant: "Workstation", type: "live", format: "iso", arch: "x86_64", sizes: [2000, 2100, 2250, 2250, 2300, 2400].map((m) => m * MiB) },
    { variant: "Workstation", subvariant: "Workstation", type: "live", format: "iso", arch: "aarch64", sizes: [1900, 1950, 1900, 1800, 1820, 1850].map((m) => m * MiB) },
    { variant: "Server", subvariant: "Server", type: "dvd", format: "iso", arch: "x86_64", sizes: [2600, 2550, 2500, 2450, 2400, 2300].map((m) => m * MiB) },
    { variant: "Cloud", subvariant: "Cloud_Base", type: "qcow2", format: "qcow2", arch: "x86_64", sizes: [500, 500, 500, 500, 500, 500].map((m) => m * MiB) },
    { variant: "KDE", subvariant: "KDE", type: "live", format: "iso", arch: "x86_64", sizes: [2500, 2700, 2600, 2620, 2600, 2550].map((m) => m * MiB) },
  ],
  /** Workstation's packages per compose index: [name, version-release] */
  packages: (index: number): [string, string][] => [
    ["bash", "5.2.37-1.fc43"],
    ["glibc", index < 2 ? "2.41-1.fc43" : "2.41-2.fc43"],
    ...(index >= 2 ? ([["libreoffice-core", "25.2.1-1.fc43"]] as [string, string][]) : []),
  ],
} as const;

/** Writes (with our writer, productmd-valid) and returns the compose dirs of SIZE_HISTORY under `root`. */
export async function writeSizeHistory(root: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const [index, c] of SIZE_HISTORY.composes.entries()) {
    const variantArches = new Map<string, string[]>();
    for (const im of SIZE_HISTORY.images) variantArches.set(im.variant, [...(variantArches.get(im.variant) ?? []), im.arch].sort());
    const rpms = ["x86_64", "aarch64"].flatMap((arch) =>
      SIZE_HISTORY.packages(index).flatMap(([name, vr]) => {
        const srpm = `${name}-0:${vr}.src`;
        return [
          { variant: "Workstation", arch, nevra: srpm, category: "source" as const, sigkey: "a15b79cc" },
          { variant: "Workstation", arch, nevra: `${name}-0:${vr}.${arch}`, srpmNevra: srpm, category: "binary" as const, sigkey: "a15b79cc" },
        ];
      }),
    );
    const dir = path.join(root, c.id);
    await writeComposeTree(dir, {
      composeinfo: {
        compose: { id: c.id, date: c.date, respin: c.respin, type: "nightly", label: null, final: false },
        release: { name: "Fedora", short: "Fedora", version: "43", type: "ga", isLayered: false, internal: false },
        baseProduct: null,
        variants: [...variantArches].map(([uid, arches]) => ({ uid, id: uid, name: uid, type: "variant" as const, arches, parent: null, release: null })),
      },
      rpms,
      images: SIZE_HISTORY.images.map((im) => ({
        variant: im.variant,
        arch: im.arch,
        fileName: `Fedora-${im.subvariant}-${im.type}-${im.arch}-43-${c.date}.n.${c.respin}.${im.format}`,
        type: im.type,
        format: im.format,
        subvariant: im.subvariant,
        size: im.sizes[index]!,
        mtime: 1740787200 + index * 86400,
        checksums: { sha256: index.toString(16).padStart(64, "0") },
      })),
    });
    dirs.push(dir);
  }
  return dirs;
}
