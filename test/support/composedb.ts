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
