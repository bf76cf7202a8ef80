// Long-running services and housekeeping: up, worker, api, bus (and its dead letters), migrate, token.
import type { Command } from "commander";
import { createToken, ROLES, type Role } from "../api/auth.js";
import { startApi } from "../api/server.js";
import { startBus } from "../bus/service.js";
import { loadAmqpTls } from "../bus/tls.js";
import { config } from "../config.js";
import { openDatabase } from "../db/database.js";
import { configuredGatingSources } from "../gating/sources.js";
import { migrate } from "../db/migrate.js";
import { resolveDatabaseUrl } from "../db/database.js";
import { registerDeadLetterCommands } from "./dead-letters.js";
import { ReleaseCatalog } from "../releases/catalog.js";
import { startStack } from "../runtime/stack.js";
import { busKoji, configuredSystems, requireComposeStep, workerActivityDeps } from "../runtime/wiring.js";
import { createRelengWorker } from "../runtime/worker.js";
import { connectTemporal, temporalAddress } from "../temporal/client.js";
import { ensureConfiguredNightlySchedules } from "../temporal/schedules.js";

const log = (line: string) => console.log(`[relengotron] ${line}`);

/** Resolves when the process is asked to stop (Ctrl-C, SIGTERM). */
function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, () => resolve(signal));
  });
}

export function registerServiceCommands(program: Command): void {
  program
    .command("up")
    .description("start everything: database, Temporal dev server, sandbox, worker, API and sign-off page")
    .action(async () => {
      const cfg = config();
      const stack = await startStack(cfg, log);
      const width = Math.max(...Object.keys(stack.urls).map((k) => k.length));
      console.log("\nrelengotron is up:");
      for (const [what, url] of Object.entries(stack.urls)) console.log(`  ${what.padEnd(width)}  ${url}`);
      const api = stack.urls["API and sign-off page"];
      if (stack.tokenFile) {
        console.log(`\nYour API token is in ${stack.tokenFile} (roles: signoff, trigger). Start a pipeline and approve it:`);
        console.log(`  TOKEN=$(cat ${stack.tokenFile})`);
        console.log(`  curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"release":"Fedora-Rawhide"}' ${api}/api/v1/pipelines`);
        console.log(`  curl -s ${api}/api/v1/pipelines/<workflowId>`);
        console.log(`  curl -s -X POST -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"decision":"approve","comment":"looks good"}' ${api}/api/v1/pipelines/<workflowId>/signoff`);
      }
      console.log("\nCtrl-C stops everything.");
      const signal = await untilSignal();
      log(`${signal}: stopping`);
      await stack.stop();
      log("stopped");
    });

  program
    .command("worker")
    .description("run the Temporal worker alone and create every release's nightly schedule (production: TEMPORAL_ADDRESS, DATABASE_URL, KOJI_URL, KOJI_TOPURL, RESULTSDB_URL)")
    .action(async () => {
      const cfg = config();
      const releases = ReleaseCatalog.load(cfg.RELENGOTRON_ARTIFACTS_DIR);
      const systems = configuredSystems(cfg);
      // Refused before anything is connected: an artifact no configured step can make.
      requireComposeStep(cfg, releases, systems.composeStep);
      const database = await openDatabase(cfg, log);
      const { client, connection: clientConnection } = await connectTemporal(cfg);
      const schedules = await ensureConfiguredNightlySchedules(client, cfg, releases);
      log(schedules.length ? `nightly schedules ${schedules.join(", ")} (${cfg.RELENGOTRON_NIGHTLY_CRON}, UTC)` : "nightly schedules: off");
      const { worker, connection } = await createRelengWorker({
        cfg,
        client,
        address: temporalAddress(cfg),
        deps: workerActivityDeps(cfg, { db: database.db, releases, systems }),
      });
      const running = worker.run();
      log(`worker polling ${cfg.TEMPORAL_TASK_QUEUE} at ${temporalAddress(cfg)}`);
      await Promise.race([running, untilSignal().then(() => worker.shutdown())]);
      await running;
      await connection.close();
      await clientConnection.close();
      await database.close();
    });

  program
    .command("api")
    .description("run the HTTP API and sign-off page alone")
    .action(async () => {
      const cfg = config();
      // the policies are validated before anything starts
      const gating = configuredGatingSources(cfg);
      const database = await openDatabase(cfg, log);
      const { client, connection } = await connectTemporal(cfg);
      const api = await startApi(
        { client, db: database.db, cfg, releases: ReleaseCatalog.load(cfg.RELENGOTRON_ARTIFACTS_DIR) },
        { host: cfg.RELENGOTRON_API_HOST, port: cfg.RELENGOTRON_API_PORT, tokensFile: cfg.apiTokensFile, gating: () => gating },
      );
      log(`API on ${api.url}`);
      await untilSignal();
      await api.close();
      await connection.close();
      await database.close();
    });

  program
    .command("bus")
    .description("consume fedora-messaging from AMQP_URL: triggers, composedb records, CI results (production: AMQP_URL, KOJI_URL, TEMPORAL_ADDRESS, DATABASE_URL)")
    .action(async () => {
      const cfg = config();
      if (!cfg.AMQP_URL) throw new Error("AMQP_URL: required by the bus service (the broker carrying fedora-messaging)");
      // certificate files named by AMQP_CA_CERT/AMQP_CERT/AMQP_KEY are checked before anything connects
      loadAmqpTls(cfg);
      const releases = ReleaseCatalog.load(cfg.RELENGOTRON_ARTIFACTS_DIR);
      const koji = busKoji(cfg);
      const database = await openDatabase(cfg, log);
      const { client, connection } = await connectTemporal(cfg);
      const bus = await startBus({ cfg, client, db: database.db, koji, releases, taskQueue: cfg.TEMPORAL_TASK_QUEUE, log });
      log(`bus consuming ${bus.queue ?? cfg.RELENGOTRON_AMQP_QUEUE}${cfg.RELENGOTRON_TOPIC_PREFIX ? ` (topics under ${cfg.RELENGOTRON_TOPIC_PREFIX})` : ""}`);
      await untilSignal();
      await bus.stop();
      await connection.close();
      await database.close();
    });

  registerDeadLetterCommands(program);

  program
    .command("migrate")
    .description("apply pending database migrations")
    .action(async () => {
      const server = await resolveDatabaseUrl(config(), log);
      try {
        const applied = await migrate(server.url);
        console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
      } finally {
        await server.stop();
      }
    });

  program
    .command("token")
    .description("create an API token (printed once; only its hash is kept)")
    .argument("<user>", "who the token belongs to; sign-offs are recorded under this name")
    .option("--roles <roles>", `comma-separated: ${ROLES.join(", ")}`, "signoff")
    .action(async (user: string, opts: { roles: string }) => {
      const roles = opts.roles.split(",").map((r) => r.trim());
      const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
      if (unknown.length) throw new Error(`--roles: unknown role ${unknown.join(", ")} (known: ${ROLES.join(", ")})`);
      console.log(createToken(config().apiTokensFile, user, roles as Role[]));
    });
}
