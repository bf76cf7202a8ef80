// composedb subcommands: ingest, diff, arches, status, sizes, updates.
import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { ingestCompose } from "../composedb/ingest.js";
import { attributeImageSizeChange, compareComposeArches, diffComposeIds, releaseStatus, sizeSeries } from "../composedb/queries.js";
import { pushFromMessage, recordUpdatesPush, updateCompleteBodySchema } from "../composedb/updates-push.js";
import { formatArchComparisonText } from "../domain/arch-compare.js";
import { formatDiffText } from "../domain/compose-diff.js";
import { formatBytes, formatBytesDelta } from "../domain/format-bytes.js";
import { growersAndShrinkers, formatTrendsText, identityLabel, renderSizePlot, seriesToCsv, sizeTrends } from "../domain/size-history.js";
import { formatSizeTable } from "../domain/size-table.js";
import { formatStatusText } from "../composedb/status-text.js";
import { withDatabase } from "./database.js";
import { output } from "./output.js";

export function registerComposedbCommands(program: Command): void {
  program
    .command("ingest")
    .description("ingest a compose's productmd metadata (directory or URL; plain or .gz) into composedb")
    .argument("<locations...>", "compose top directories, compose/ or metadata/ directories, or http(s) URLs")
    .option("--status <status>", "override the STATUS file (STARTED, FINISHED, FINISHED_INCOMPLETE, DOOMED, TERMINATED)")
    .action(async (locations: string[], opts: { status?: "FINISHED" }, cmd: Command) =>
      withDatabase(async (db) => {
        const results: Awaited<ReturnType<typeof ingestCompose>>[] = [];
        for (const location of locations) results.push(await ingestCompose(db, location, { status: opts.status }));
        output(cmd, results, () =>
          results
            .map((r) =>
              r.created
                ? `ingested ${r.composeId} (${r.release}): ${r.variants} variants, ${r.images} images, ${r.rpmEntries} RPM entries, status ${r.status ?? "unknown"}`
                : `${r.composeId} was already in composedb (status ${r.status ?? "unknown"}): nothing duplicated`,
            )
            .join("\n"),
        );
      }),
    );

  program
    .command("diff")
    .description("what changed between two composes: packages, RPMs and images per variant and arch")
    .argument("<from>", "compose id")
    .argument("<to>", "compose id")
    .action(async (from: string, to: string, _opts: unknown, cmd: Command) =>
      withDatabase(async (db) => {
        const diff = await diffComposeIds(db, from, to);
        output(cmd, diff, () => formatDiffText(diff));
      }),
    );

  program
    .command("arches")
    .description("what differs between the arches of a compose, or between a primary and a secondary compose")
    .argument("<compose>", "compose id")
    .option("--vs <compose>", "the secondary-arch compose to compare with")
    .option("--arch <arch...>", "only these arches")
    .action(async (composeId: string, opts: { vs?: string; arch?: string[] }, cmd: Command) =>
      withDatabase(async (db) => {
        const comparison = await compareComposeArches(db, composeId, opts.vs, opts.arch);
        output(cmd, comparison, () => formatArchComparisonText(comparison));
      }),
    );

  program
    .command("status")
    .description("per release: the last nightly that worked, the last compose, the last updates pushes")
    .argument("[release]", "e.g. Fedora-Rawhide (default: every release)")
    .action(async (release: string | undefined, _opts: unknown, cmd: Command) =>
      withDatabase(async (db) => {
        const status = await releaseStatus(db, release);
        output(cmd, status, () => formatStatusText(status));
      }),
    );

  program
    .command("release")
    .description("set what composedb knows about a release")
    .argument("<release>", "e.g. Fedora-Rawhide")
    .requiredOption("--required-variants <uids>", "comma-separated variants a FINISHED_INCOMPLETE nightly must have to count as working")
    .action(async (release: string, opts: { requiredVariants: string }, cmd: Command) =>
      withDatabase(async (db) => {
        const requiredVariants = opts.requiredVariants.split(",").map((v) => v.trim()).filter(Boolean);
        const [short, ...version] = release.split("-");
        const row = await db.release.upsert({
          where: { name: release },
          create: { name: release, short: short!, version: version.join("-") || release, requiredVariants },
          update: { requiredVariants },
        });
        output(cmd, row, () => `${row.name}: required variants ${row.requiredVariants.join(", ") || "(none)"}`);
      }),
    );

  program
    .command("sizes")
    .description("image sizes across composes: growers and shrinkers, CSV, JSON, SVG plots")
    .option("--release <release>")
    .option("--variant <uid>")
    .option("--subvariant <name>")
    .option("--type <type>")
    .option("--format <format>")
    .option("--arch <arch>")
    .option("--from <YYYYMMDD>", "window start (compose date)")
    .option("--to <YYYYMMDD>", "window end (compose date)")
    .option("--limit <n>", "growers and shrinkers to list", "10")
    .option("--csv <file>", "write every series as CSV ('-' for stdout)")
    .option("--plot-dir <dir>", "write one SVG plot per image identity")
    .option("--explain <from..to>", "for the selected image: which packages entered or grew between two composes")
    .action(async (opts: Record<string, string | undefined>, cmd: Command) =>
      withDatabase(async (db) => {
        const series = await sizeSeries(db, opts);
        if (opts.csv) {
          if (opts.csv === "-") return void process.stdout.write(seriesToCsv(series));
          fs.writeFileSync(opts.csv, seriesToCsv(series));
        }
        if (opts.plotDir) {
          fs.mkdirSync(opts.plotDir, { recursive: true });
          for (const s of series) {
            fs.writeFileSync(path.join(opts.plotDir, `${identityLabel(s.identity).replaceAll("/", "_")}.svg`), renderSizePlot(s));
          }
        }
        if (opts.explain) {
          const [from, to] = opts.explain.split("..");
          if (!from || !to || !opts.variant || !opts.arch) throw new Error("--explain needs FROM..TO and --variant and --arch");
          const attribution = await attributeImageSizeChange(db, { variant: opts.variant, arch: opts.arch }, from, to);
          return output(cmd, attribution, () =>
            [
              `Packages that entered or grew in ${opts.variant}/${opts.arch} between ${from} and ${to}:`,
              ...attribution.contributors.map(
                (c) => `  ${c.change.padEnd(10)} ${c.name}.${c.arch} ${c.from ?? ""}${c.from ? " -> " : ""}${c.to ?? ""}${c.sizeDelta !== null ? ` ${formatBytesDelta(c.sizeDelta)}` : ""}`,
              ),
              attribution.knownGrowth !== null ? `Known growth: ${formatBytes(attribution.knownGrowth)}` : "",
            ].join("\n"),
          );
        }
        const trends = growersAndShrinkers(sizeTrends(series, { from: opts.from, to: opts.to }), Number(opts.limit));
        // The table answers "how big is each image now and how did it move"; growers and shrinkers follow,
        // ranked, for the question "what grew the most".
        output(cmd, { series, ...trends }, () => `${formatSizeTable(series)}\n\n${series.length} image identities\n${formatTrendsText(trends)}`);
      }),
    );

  program
    .command("record-push")
    .description("record an updates push from Bodhi update.complete messages (JSON files: {topic, body})")
    .argument("<files...>")
    .action(async (files: string[], _opts: unknown, cmd: Command) =>
      withDatabase(async (db) => {
        const recorded: ReturnType<typeof pushFromMessage>[] = [];
        for (const file of files) {
          const message = JSON.parse(fs.readFileSync(file, "utf8")) as {
            topic?: string;
            body?: unknown;
            headers?: Record<string, unknown>;
            fedmsg_envelope?: { timestamp?: number };
          };
          const body = updateCompleteBodySchema.safeParse(message.body);
          if (!message.topic || !body.success) {
            throw new Error(`${file}: not a bodhi update.complete message: ${body.success ? "no topic" : body.error.issues[0]?.path.join(".") + ": " + body.error.issues[0]?.message}`);
          }
          // When it was sent: fedora-messaging's sent-at header, or a fedmsg-era envelope's timestamp.
          const sentAt =
            typeof message.headers?.["sent-at"] === "string"
              ? new Date(message.headers["sent-at"])
              : typeof message.fedmsg_envelope?.timestamp === "number"
                ? new Date(message.fedmsg_envelope.timestamp * 1000)
                : undefined;
          if ((!sentAt || Number.isNaN(sentAt.getTime())) && !body.data.update.date_pushed) {
            throw new Error(`${file}: no date_pushed, sent-at header or envelope timestamp: cannot tell when the update was pushed`);
          }
          const push = pushFromMessage(message.topic, body.data, sentAt ?? new Date(0));
          await recordUpdatesPush(db, push);
          recorded.push(push);
        }
        output(cmd, recorded, () => recorded.map((p) => `${p.pushKey}: ${p.update} (${p.request}, ${p.release})`).join("\n"));
      }),
    );
}
