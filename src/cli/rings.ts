// `relengotron rings load|show`: rings (component groups of type ring) from config/rings/*.yaml
// into composedb, with the history of every change; and what they say about a package or an
// artifact.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { artifactRing, currentRings, loadRings, packageRing, ringHistory, ringReleases } from "../composedb/rings.js";
import { config, projectRoot } from "../config.js";
import { describeChange, parseRingsFile, RingsDefinitionError, type RingChange } from "../domain/rings.js";
import { ReleaseCatalog } from "../releases/catalog.js";
import { withDatabase } from "./database.js";
import { output } from "./output.js";

export const DEFAULT_RINGS_DIR = path.join(projectRoot, "config", "rings");

/** `file@commit` when the file is in a git work tree and unmodified there, else the file. */
function sourceOf(file: string): string {
  const rel = path.relative(projectRoot, file).startsWith("..") ? file : path.relative(projectRoot, file);
  try {
    const dir = path.dirname(file);
    const commit = execFileSync("git", ["-C", dir, "log", "-1", "--format=%H", "--", path.basename(file)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = execFileSync("git", ["-C", dir, "status", "--porcelain", "--", path.basename(file)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    return commit && !dirty ? `${rel}@${commit.slice(0, 12)}` : rel;
  } catch {
    return rel;
  }
}

export function registerRingsCommands(program: Command): void {
  const rings = program.command("rings").description("rings: component groups of a release's source packages, with their history");

  rings
    .command("load")
    .description("load rings definitions (default: every config/rings/*.yaml) into composedb, recording every change")
    .argument("[files...]", "rings files; default: the *.yaml of --dir")
    .option("--dir <dir>", "where the rings files are", DEFAULT_RINGS_DIR)
    .option("--actor <name>", "who made the change (recorded)", os.userInfo().username)
    .action(async (files: string[], opts: { dir: string; actor: string }, cmd: Command) => {
      const paths = files.length ? files : fs.readdirSync(opts.dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(opts.dir, f));
      if (!paths.length) throw new RingsDefinitionError(`${opts.dir}: no rings files (*.yaml)`);
      const releases = ReleaseCatalog.load(config().RELENGOTRON_ARTIFACTS_DIR).names();
      // every file is validated before anything is written
      const defs = paths.map((file) => ({ file, def: parseRingsFile(file, fs.readFileSync(file, "utf8"), releases) }));
      const seen = new Map<string, string>();
      for (const { file, def } of defs) {
        if (seen.has(def.release)) throw new RingsDefinitionError(`${file}:1: release ${def.release} already has rings in ${seen.get(def.release)}`);
        seen.set(def.release, file);
      }
      await withDatabase(async (db) => {
        const results: { release: string; source: string; changes: RingChange[] }[] = [];
        for (const { file, def } of defs) results.push({ release: def.release, source: sourceOf(file), changes: await loadRings(db, def, { actor: opts.actor, source: sourceOf(file) }) });
        output(cmd, results, () =>
          results
            .map((r) => (r.changes.length ? [`${r.release}: ${r.changes.length} change${r.changes.length === 1 ? "" : "s"} from ${r.source}`, ...r.changes.map((c) => `  ${describeChange(c)}`)].join("\n") : `${r.release}: unchanged`))
            .join("\n"),
        );
      });
    });

  rings
    .command("show")
    .description("a release's rings; a package's ring; an artifact's ring (the strictest of its packages) and why")
    .option("--release <name>", "the release (required with --package and --artifact when several have rings)")
    .option("--package <name>", "a source package")
    .option("--artifact <name>", "an artifact of the release, by its last successful build's components")
    .option("--history", "the changes, newest first (with --package: that package's)")
    .action(async (opts: { release?: string; package?: string; artifact?: string; history?: boolean }, cmd: Command) => {
      await withDatabase(async (db) => {
        const releases = opts.release ? [opts.release] : await ringReleases(db);
        if (!releases.length) throw new Error("no rings are loaded (relengotron rings load)");
        if ((opts.package || opts.artifact) && releases.length > 1 && !opts.history) throw new Error(`rings are loaded for ${releases.join(", ")}: name one with --release`);
        if (opts.history) {
          const changes = await ringHistory(db, { release: opts.release, package: opts.package });
          return output(cmd, changes, () =>
            changes.map((c) => `${c.at} ${c.actor} ${c.release} ${c.action} ${c.group}${c.package ? ` ${c.package}` : ""}${c.fromGroup ? ` (from ${c.fromGroup})` : ""} [${c.source}]`).join("\n") || "no changes",
          );
        }
        const release = releases[0]!;
        if (opts.artifact) {
          const a = await artifactRing(db, release, opts.artifact);
          return output(cmd, a, () =>
            [
              `${a.artifact} (${release}): ${a.ring} (order ${a.order}), the strictest ring of its ${a.packages} source packages`,
              a.because.length ? `  because of: ${a.because.slice(0, 20).join(", ")}${a.because.length > 20 ? `, … ${a.because.length - 20} more` : ""}` : "  (no components recorded: the default ring)",
              `  packages per ring: ${Object.entries(a.counts).map(([r, n]) => `${r} ${n}`).join(", ")}`,
              `  from the build of ${a.build.composeId} (${a.build.pipelineId})`,
            ].join("\n"),
          );
        }
        if (opts.package) {
          const p = await packageRing(db, release, opts.package);
          return output(cmd, { release, ...p }, () => `${p.package} (${release}): ${p.ring} (order ${p.order})${p.byDefault ? ", the default: no ring names it" : ""}`);
        }
        const defs = await Promise.all(releases.map((r) => currentRings(db, r)));
        output(cmd, defs, () =>
          defs
            .map((d) => [`${d.release} (packages in no ring: ${d.defaultRing})`, ...d.rings.map((r) => `  ${r.name} (order ${r.order}): ${r.packages.length} packages${r.description ? ` — ${r.description}` : ""}`)].join("\n"))
            .join("\n"),
        );
      });
    });
}
