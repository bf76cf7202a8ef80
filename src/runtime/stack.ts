// `relengotron up`: the database, the Temporal dev server, the sandbox, the worker and the API in
// one process tree. Everything started is stopped in reverse order on Ctrl-C.
import fs from "node:fs";
import path from "node:path";
import { logNotifier } from "../activities/pipeline.js";
import { createToken, readTokens } from "../api/auth.js";
import { startApi } from "../api/server.js";
import { KojiClient } from "../clients/koji.js";
import { ResultsDbClient } from "../clients/resultsdb.js";
import type { Config } from "../config.js";
import { openDatabase } from "../db/database.js";
import { ReleaseCatalog } from "../releases/catalog.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { resolveTemporalCli } from "../temporal/cli-binary.js";
import { connectTemporal } from "../temporal/client.js";
import { startDevServer } from "../temporal/dev-server.js";
import { createRelengWorker, pipelineDirs } from "./worker.js";
import { sandboxComposeStep } from "../sandbox/compose-step.js";
import type { BusPublisher } from "../bus/publisher.js";
import { sandboxKojiPublisher } from "../bus/sandbox.js";
import { startBus } from "../bus/service.js";
import { ensureNightlySchedules } from "../temporal/schedules.js";

export interface Stack {
  urls: Record<string, string>;
  tokenFile: string | null;
  stop(): Promise<void>;
}

export async function startStack(cfg: Config, log: (line: string) => void): Promise<Stack> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch((e: Error) => log(`while stopping: ${e.message}`));
    stops.length = 0;
  };
  try {
    const releases = ReleaseCatalog.load(cfg.RELENGOTRON_ARTIFACTS_DIR);

    const database = await openDatabase(cfg, log);
    stops.push(database.close);
    log(`database: ${database.embedded ? `embedded PostgreSQL under ${path.join(cfg.dataDir, "postgres")}` : "DATABASE_URL"}`);

    let address = cfg.TEMPORAL_ADDRESS;
    let uiUrl: string | undefined;
    if (!address) {
      const binary = resolveTemporalCli({ explicit: cfg.TEMPORAL_CLI, install: true, log });
      const dev = await startDevServer({ binary, dataDir: cfg.dataDir, port: cfg.TEMPORAL_PORT, uiPort: cfg.TEMPORAL_UI_PORT, namespace: cfg.TEMPORAL_NAMESPACE, log });
      stops.push(dev.stop);
      address = dev.address;
      uiUrl = dev.uiUrl;
      log(`Temporal dev server ${binary} (log: ${dev.logFile})`);
    }

    // The sandbox Koji publishes its messages on the bus, once the bus is up.
    let busPublisher: BusPublisher | undefined;
    let sandbox: Sandbox | undefined;
    if (cfg.useSandbox) {
      sandbox = await startSandbox({
        dir: path.join(cfg.dataDir, "sandbox"),
        host: cfg.RELENGOTRON_SANDBOX_HOST,
        kojiPort: cfg.RELENGOTRON_SANDBOX_PORT,
        webPort: cfg.RELENGOTRON_SANDBOX_WEB_PORT,
        composeRoot: cfg.composeRoot,
        mirrorDir: cfg.mirrorDir,
        taskDurationMs: cfg.RELENGOTRON_SANDBOX_TASK_MS,
        onKojiEvent: sandboxKojiPublisher(() => busPublisher, log),
        log,
      });
      stops.push(sandbox.close);
    }
    const koji = new KojiClient({
      url: sandbox?.kojiUrl ?? cfg.KOJI_URL!,
      topurl: sandbox?.kojiTopurl ?? cfg.KOJI_TOPURL,
      user: sandbox?.kojiUser.name ?? cfg.KOJI_USER,
      password: sandbox?.kojiUser.password ?? cfg.KOJI_PASSWORD,
    });
    const resultsdbUrl = sandbox?.resultsdbUrl ?? cfg.RESULTSDB_URL;
    if (!resultsdbUrl) throw new Error("RESULTSDB_URL: required when KOJI_URL points at a real Koji (the sandbox provides one otherwise)");

    const { client, connection } = await connectTemporal(cfg, address);
    stops.push(() => connection.close());
    const { worker, connection: workerConnection } = await createRelengWorker({
      cfg,
      client,
      address,
      deps: {
        db: database.db,
        koji,
        resultsdb: new ResultsDbClient(resultsdbUrl),
        releases,
        composeStep: sandboxComposeStep,
        notifier: logNotifier,
        kojiPollMs: cfg.RELENGOTRON_KOJI_POLL_MS,
        ...pipelineDirs(cfg),
      },
    });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
      await workerConnection.close();
    });

    const bus = await startBus({ cfg, client, db: database.db, koji, releases, taskQueue: cfg.TEMPORAL_TASK_QUEUE, publish: cfg.useSandbox, log });
    stops.push(async () => {
      busPublisher = undefined;
      await bus.stop();
    });
    busPublisher = bus.publisher;
    log(`bus: ${bus.kind === "amqp" ? `consuming ${cfg.RELENGOTRON_AMQP_QUEUE} from RabbitMQ` : "in-process (no AMQP_URL)"}`);
    if (cfg.RELENGOTRON_NIGHTLY_CRON !== "off") {
      await ensureNightlySchedules(client, { releases: releases.names(), cron: cfg.RELENGOTRON_NIGHTLY_CRON, taskQueue: cfg.TEMPORAL_TASK_QUEUE });
    }

    const api = await startApi(
      { client, db: database.db, cfg, releases },
      { host: cfg.RELENGOTRON_API_HOST, port: cfg.RELENGOTRON_API_PORT, tokensFile: cfg.apiTokensFile },
    );
    stops.push(api.close);

    return {
      urls: {
        "Temporal Web UI": uiUrl ?? `(external Temporal at ${address})`,
        "API and sign-off page": api.url,
        ...(sandbox
          ? { "sandbox Koji hub": sandbox.kojiUrl, "sandbox ResultsDB": sandbox.resultsdbUrl, "composes": `${sandbox.webUrl}/composes/`, "mirror": `${sandbox.webUrl}/mirror/` }
          : {}),
      },
      tokenFile: ensureLocalToken(cfg),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A fresh data folder gets one token for the local release engineer, kept in a file only its owner
 * can read (it is never printed or logged).
 */
function ensureLocalToken(cfg: Config): string | null {
  const file = path.join(cfg.dataDir, "releng-token");
  if (readTokens(cfg.apiTokensFile).length > 0) return fs.existsSync(file) ? file : null;
  const token = createToken(cfg.apiTokensFile, "releng", ["signoff", "trigger"]);
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return file;
}
