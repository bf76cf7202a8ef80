// `relengotron up`: the database, the Temporal dev server, the sandbox, the worker and the API in
// one process tree. Everything started is stopped in reverse order on Ctrl-C.
import fs from "node:fs";
import path from "node:path";
import { createToken, readTokens } from "../api/auth.js";
import { startApi } from "../api/server.js";
import type { Config } from "../config.js";
import { openDatabase } from "../db/database.js";
import { configuredGatingSources, gatingSources } from "../gating/sources.js";
import { ReleaseCatalog } from "../releases/catalog.js";
import { resolveTemporalCli } from "../temporal/cli-binary.js";
import { connectTemporal } from "../temporal/client.js";
import { startDevServer } from "../temporal/dev-server.js";
import { createRelengWorker } from "./worker.js";
import type { BusPublisher } from "../bus/publisher.js";
import { startBus } from "../bus/service.js";
import { ensureConfiguredNightlySchedules } from "../temporal/schedules.js";
import { configuredSystems, requireComposeStep, sandboxSystems, startConfiguredSandbox, workerActivityDeps, type Sandbox } from "./wiring.js";

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
    // Without KOJI_URL the sandbox stands in for Fedora's systems (started below); otherwise the
    // configured ones must be complete before anything starts.
    const configured = cfg.useSandbox ? undefined : configuredSystems(cfg);
    if (configured) requireComposeStep(cfg, releases, configured.composeStep);

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
      sandbox = await startConfiguredSandbox(cfg, { publisher: () => busPublisher, log });
      stops.push(sandbox.close);
    }
    const systems = sandbox ? sandboxSystems(cfg, sandbox) : configured!;

    const { client, connection } = await connectTemporal(cfg, address);
    stops.push(() => connection.close());
    const { worker, connection: workerConnection } = await createRelengWorker({
      cfg,
      client,
      address,
      deps: workerActivityDeps(cfg, { db: database.db, releases, systems }),
    });
    const running = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await running;
      await workerConnection.close();
    });

    const bus = await startBus({ cfg, client, db: database.db, koji: systems.koji, releases, taskQueue: cfg.TEMPORAL_TASK_QUEUE, publish: cfg.useSandbox, log });
    stops.push(async () => {
      busPublisher = undefined;
      await bus.stop();
    });
    busPublisher = bus.publisher;
    log(`bus: ${bus.kind === "amqp" ? `consuming ${bus.queue} from RabbitMQ` : "in-process (no AMQP_URL)"}`);
    await ensureConfiguredNightlySchedules(client, cfg, releases);

    // Greenwave decisions (POST /api/v1/decision): RELENGOTRON_POLICIES_DIR against the sandbox's
    // ResultsDB, WaiverDB and Koji, or the configured ones
    const gating = sandbox
      ? gatingSources({ policiesDir: cfg.RELENGOTRON_POLICIES_DIR, resultsdbApi: `${sandbox.resultsdbUrl}/api/v2.0`, waiverdbApi: sandbox.waiverdbApiUrl, koji: systems.koji })
      : configuredGatingSources(cfg);
    const api = await startApi(
      { client, db: database.db, cfg, releases },
      { host: cfg.RELENGOTRON_API_HOST, port: cfg.RELENGOTRON_API_PORT, tokensFile: cfg.apiTokensFile, gating: () => gating },
    );
    stops.push(api.close);

    return {
      urls: {
        "Temporal Web UI": uiUrl ?? `(external Temporal at ${address})`,
        "API and sign-off page": api.url,
        "dashboard": `${api.url}/overview`,
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
