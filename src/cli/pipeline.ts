// Pipeline subcommands: plan (explain without building), pipeline start/list/show.
import type { Command } from "commander";
import { planFromSnapshot } from "../activities/plan.js";
import { takeSnapshot } from "../activities/snapshot.js";
import { KojiClient } from "../clients/koji.js";
import { config, type Config } from "../config.js";
import { formatPlan } from "../domain/plan.js";
import { getPipeline, listPipelines, startPipeline } from "../pipelines/service.js";
import { ReleaseCatalog } from "../releases/catalog.js";
import { connectTemporal } from "../temporal/client.js";
import { withDatabase } from "./database.js";
import { output } from "./output.js";

/** Read-only Koji access: the configured hub, or the sandbox hub that `up` runs. */
function readOnlyKoji(cfg: Config): KojiClient {
  return new KojiClient({ url: cfg.KOJI_URL ?? `http://${cfg.RELENGOTRON_SANDBOX_HOST}:${cfg.RELENGOTRON_SANDBOX_PORT}/kojihub` });
}

async function withTemporal<T>(run: (client: Awaited<ReturnType<typeof connectTemporal>>["client"]) => Promise<T>): Promise<T> {
  const { client, connection } = await connectTemporal(config());
  try {
    return await run(client);
  } finally {
    await connection.close();
  }
}

export function registerPipelineCommands(program: Command): void {
  program
    .command("plan")
    .description("which artifacts of a release a pipeline would rebuild now, and why (builds nothing)")
    .argument("<release>", "e.g. Fedora-Rawhide")
    .option("--artifact <name...>", "rebuild only these if their inputs changed; every other artifact reuses its last build")
    .action(async (release: string, opts: { artifact?: string[] }, cmd: Command) => {
      const cfg = config();
      const def = ReleaseCatalog.load(cfg.RELENGOTRON_ARTIFACTS_DIR).get(release);
      const snapshot = await takeSnapshot(readOnlyKoji(cfg), release, def.koji.tag);
      await withDatabase(async (db) => {
        const plan = await planFromSnapshot(db, def, snapshot, { artifacts: opts.artifact });
        output(cmd, { release, kojiEvent: snapshot.kojiEvent, tag: snapshot.tag, plan }, () =>
          `${release}: tag ${snapshot.tag} at Koji event ${snapshot.kojiEvent}\n${formatPlan(plan)}`,
        );
      });
    });

  const pipeline = program.command("pipeline").description("start and inspect compose pipelines");
  pipeline
    .command("start")
    .description("start a compose pipeline for a release now")
    .argument("<release>")
    .option("--artifact <name...>", "rebuild only these if their inputs changed; every other artifact reuses its last build")
    .option("--force <name...>", "rebuild these whatever their fingerprint")
    .action(async (release: string, opts: { artifact?: string[]; force?: string[] }, cmd: Command) => {
      const cfg = config();
      const releases = ReleaseCatalog.load(cfg.RELENGOTRON_ARTIFACTS_DIR);
      await withDatabase((db) =>
        withTemporal(async (client) => {
          const started = await startPipeline({ client, db, cfg, releases }, { release, trigger: "manual", artifacts: opts.artifact, force: opts.force });
          output(cmd, started, () => `started ${started.workflowId}`);
        }),
      );
    });
  pipeline
    .command("list")
    .option("--release <release>")
    .option("--stage <stage>", "e.g. awaiting-signoff")
    .action(async (opts: { release?: string; stage?: string }, cmd: Command) =>
      withTemporal(async (client) => {
        const rows = await listPipelines(client, opts);
        output(cmd, rows, () => rows.map((r) => `${r.workflowId}  ${r.stage ?? "?"}  ${r.status}  ${r.startTime}`).join("\n") || "no pipelines");
      }),
    );
  pipeline
    .command("show")
    .argument("<workflowId>")
    .action(async (workflowId: string, _opts: unknown, cmd: Command) =>
      withTemporal(async (client) => {
        const view = await getPipeline(client, workflowId);
        output(cmd, view, () =>
          [
            `${view.workflowId}: ${view.stage} (${view.status})`,
            formatPlan(view.plan),
            ...view.artifacts.map((a) => `  ${a.artifact}: ${a.status}${a.gate ? ` — ${a.gate.summary}` : ""}${a.error ? ` — ${a.error}` : ""}`),
            view.signoff ? `sign-off: ${view.signoff.decision} by ${view.signoff.actor}: ${view.signoff.comment}` : "",
          ].join("\n"),
        );
      }),
    );
}
