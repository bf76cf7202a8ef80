// `relengotron dead-letters [--limit N]`: the bus messages set aside, newest first;
// `--replay ID`: one of them processed again through the bus's own processor (router + actions),
// marked replayed when it is now accepted, its reason updated when it is set aside again.
import os from "node:os";
import type { Command } from "commander";
import { z } from "zod";
import { listDeadLetters, replayDeadLetter } from "../bus/dead-letters.js";
import { createBusProcessor } from "../bus/service.js";
import { KojiClient } from "../clients/koji.js";
import { config } from "../config.js";
import { ReleaseCatalog } from "../releases/catalog.js";
import { busKoji } from "../runtime/wiring.js";
import { connectTemporal } from "../temporal/client.js";
import { withDatabase } from "./database.js";
import { output } from "./output.js";

const Options = z.object({
  limit: z.coerce.number({ message: "--limit: expected a number" }).int("--limit: expected a whole number").min(1, "--limit: at least 1").max(10_000, "--limit: at most 10000").default(50),
  replay: z.coerce.number({ message: "--replay: expected a dead letter's id" }).int("--replay: expected a dead letter's id").positive("--replay: expected a dead letter's id").optional(),
  actor: z.string().min(1),
});

export function registerDeadLetterCommands(program: Command): void {
  program
    .command("dead-letters")
    .description("bus messages set aside (invalid, unknown, unusable), newest first; --replay ID processes one again")
    .option("--limit <n>", "how many to list", "50")
    .option("--replay <id>", "process this dead letter again through the bus's processor (router + actions)")
    .option("--actor <name>", "who replays (recorded)", os.userInfo().username)
    .action(async (raw: { limit: string; replay?: string; actor: string }, cmd: Command) => {
      const parsed = Options.safeParse(raw);
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join("; "));
      const opts = parsed.data;
      await withDatabase(async (db) => {
        if (opts.replay === undefined) {
          const letters = await listDeadLetters(db, { limit: opts.limit });
          return output(cmd, letters, () =>
            letters.length
              ? letters
                  .map((l) => `${l.id}\t${l.setAsideAt}\t${l.topic}\t${l.size} B\t${l.reason}${l.replayedAt ? `\t(replayed ${l.replayedAt} by ${l.replayedBy})` : ""}`)
                  .join("\n")
              : "no dead letters",
          );
        }
        const cfg = config();
        const releases = ReleaseCatalog.load(cfg.RELENGOTRON_ARTIFACTS_DIR);
        // The bus service's Koji: KOJI_URL, or the running sandbox's hub.
        const koji = cfg.KOJI_URL ? busKoji(cfg) : new KojiClient({ url: `http://${cfg.RELENGOTRON_SANDBOX_HOST}:${cfg.RELENGOTRON_SANDBOX_PORT}/kojihub` });
        const { client, connection } = await connectTemporal(cfg);
        try {
          const processor = createBusProcessor({ cfg, client, db, koji, releases, taskQueue: cfg.TEMPORAL_TASK_QUEUE, consumer: "replay", log: (line) => console.error(line) });
          const result = await replayDeadLetter(db, opts.replay, processor, opts.actor);
          output(cmd, result, () =>
            result.status === "replayed"
              ? `dead letter ${result.id} replayed: ${result.outcome.status}${result.outcome.status === "ignored" ? ` (${result.outcome.reason})` : ""}; marked replayed by ${result.replayedBy} at ${result.replayedAt}`
              : result.status === "already-replayed"
                ? `dead letter ${result.id} was already replayed by ${result.replayedBy} at ${result.replayedAt}`
                : `dead letter ${result.id} set aside again: ${result.reason}`,
          );
          if (result.status === "failed") process.exitCode = 1;
        } finally {
          await connection.close();
        }
      });
    });
}
