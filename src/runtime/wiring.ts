// The one wiring of what relengotron's services talk to, chosen from the configuration: Fedora's
// systems by URL (KOJI_URL, RESULTSDB_URL), or — when no KOJI_URL is set and `up` runs it — the
// sandbox's loopback stand-ins. `up` (runtime/stack.ts), `worker` and `bus` (cli/services.ts) and
// the tests build their worker's dependencies here.
//
// This is the only module outside src/sandbox/ that imports the sandbox
// (test/unit/sandbox-boundary.test.ts): production code reaches it only through here, and only
// when the configuration asks for it.
import { ApplicationFailure } from "@temporalio/common";
import fs from "node:fs";
import path from "node:path";
import type { ComposeStepBuilder } from "../activities/artifact-build.js";
import { logNotifier, type Notifier, type PipelineActivityDeps } from "../activities/pipeline.js";
import type { BusPublisher } from "../bus/publisher.js";
import { KojiClient, type KojiClientOptions } from "../clients/koji.js";
import { ResultsDbClient } from "../clients/resultsdb.js";
import type { Config } from "../config.js";
import type { Db } from "../db/database.js";
import type { ReleaseCatalog } from "../releases/catalog.js";
import { sandboxComposeStep } from "../sandbox/compose-step.js";
import { SANDBOX_KOJI_USER, startSandbox, type Sandbox } from "../sandbox/index.js";
import { sandboxKojiPublisher } from "../sandbox/koji-messages.js";
import { pipelineDirs } from "./worker.js";

export type { Sandbox } from "../sandbox/index.js";
export { bumpPackage } from "../sandbox/bump.js";

/** Where the worker finds Koji and ResultsDB. */
export interface Endpoints {
  koji: Pick<KojiClientOptions, "url" | "topurl" | "auth">;
  resultsdbUrl: string;
}

/** The systems the worker's activities talk to. */
export interface Systems {
  koji: KojiClient;
  resultsdb: ResultsDbClient;
  /** makes the artifacts of kind `compose` (what Pungi makes itself); none: such artifacts are refused at start */
  composeStep: ComposeStepBuilder | undefined;
}

/** The configured Koji and ResultsDB (a real deployment); both must be set. */
export function configuredEndpoints(cfg: Config): Endpoints {
  // KOJI_TOPURL too: built images are downloaded from it (Koji's files, as `koji download-build`
  // fetches them), never through the hub.
  const missing = [!cfg.KOJI_URL && "KOJI_URL", !cfg.KOJI_TOPURL && "KOJI_TOPURL", !cfg.RESULTSDB_URL && "RESULTSDB_URL"].filter(Boolean);
  if (missing.length) throw new Error(`${missing.join(", ")}: required outside the sandbox (\`relengotron up\` without KOJI_URL runs the sandbox instead)`);
  return {
    // KOJI_AUTH: Kerberos (Fedora's hubs), a password, or anonymous reads
    koji: { url: cfg.KOJI_URL!, topurl: cfg.KOJI_TOPURL, auth: cfg.kojiAuth },
    resultsdbUrl: cfg.RESULTSDB_URL!,
  };
}

/** The running sandbox's Koji hub (with its account) and ResultsDB. */
export function sandboxEndpoints(sandbox: Sandbox): Endpoints {
  return {
    koji: { url: sandbox.kojiUrl, topurl: sandbox.kojiTopurl, auth: { method: "password", user: sandbox.kojiUser.name, password: sandbox.kojiUser.password } },
    resultsdbUrl: sandbox.resultsdbUrl,
  };
}

/**
 * What makes the artifacts of kind `compose`. In the sandbox, its producer (a productmd-shaped
 * stand-in for Pungi's buildinstall). Outside it nothing yet: this is where a configured
 * pungi-koji command would be chosen (e.g. `RELENGOTRON_PUNGI_COMMAND` → a ComposeStepBuilder
 * running it); until then such artifacts are refused at start (`requireComposeStep`).
 */
export function composeStepFor(_cfg: Config, opts: { sandbox: boolean }): ComposeStepBuilder | undefined {
  return opts.sandbox ? sandboxComposeStep : undefined;
}

export function systemsAt(endpoints: Endpoints, composeStep: ComposeStepBuilder | undefined): Systems {
  return { koji: new KojiClient(endpoints.koji), resultsdb: new ResultsDbClient(endpoints.resultsdbUrl), composeStep };
}

/** The systems of a deployment: the configured Koji and ResultsDB, and the configured compose step (none yet). */
export function configuredSystems(cfg: Config): Systems {
  return systemsAt(configuredEndpoints(cfg), composeStepFor(cfg, { sandbox: false }));
}

/** The running sandbox's systems, its compose step included. */
export function sandboxSystems(cfg: Config, sandbox: Sandbox): Systems {
  return systemsAt(sandboxEndpoints(sandbox), composeStepFor(cfg, { sandbox: true }));
}

/** The Koji the bus asks for build types: anonymous calls only, no login. */
export function busKoji(cfg: Config): KojiClient {
  if (!cfg.KOJI_URL) throw new Error("KOJI_URL: required by the bus service (it asks Koji which tagged builds are RPM builds)");
  return new KojiClient({ url: cfg.KOJI_URL, topurl: cfg.KOJI_TOPURL, auth: { method: "none" } });
}

/** Artifacts (`release/artifact`) of kind `compose`, which only a compose step can make. */
export function composeStepArtifacts(releases: ReleaseCatalog): string[] {
  return releases.names().flatMap((name) =>
    releases
      .get(name)
      .artifacts.filter((a) => a.build.kind === "compose")
      .map((a) => `${name}/${a.name}`),
  );
}

/** Refuses, naming them, release definitions with artifacts of kind `compose` when no compose step is configured. */
export function requireComposeStep(cfg: Config, releases: ReleaseCatalog, composeStep: ComposeStepBuilder | undefined): void {
  if (composeStep) return;
  const needing = composeStepArtifacts(releases);
  if (needing.length === 0) return;
  throw new Error(
    `${needing.join(", ")}: build.kind compose is made by the compose step (Pungi), and outside the sandbox no compose step is configured. ` +
      `Remove ${needing.length > 1 ? "these artifacts" : "this artifact"} from the release definitions in ${cfg.RELENGOTRON_ARTIFACTS_DIR}, ` +
      "or run the sandbox (`relengotron up` without KOJI_URL)",
  );
}

/** Stands in where no compose step is configured; requireComposeStep keeps it from being reached. */
const noComposeStep: ComposeStepBuilder = {
  async build({ def, artifact }) {
    throw ApplicationFailure.nonRetryable(`${def.release.name}/${artifact.name}: build.kind compose needs a compose step, and none is configured`);
  },
};

/** Every dependency of the worker's activities; refuses artifacts no configured step can make. */
export function workerActivityDeps(
  cfg: Config,
  parts: {
    db: Db;
    releases: ReleaseCatalog;
    systems: Systems;
    notifier?: Notifier;
    kojiPollMs?: number;
    dirs?: { buildsDir: string; composeRoot: string; mirrorDir: string };
  },
): PipelineActivityDeps {
  requireComposeStep(cfg, parts.releases, parts.systems.composeStep);
  return {
    db: parts.db,
    koji: parts.systems.koji,
    resultsdb: parts.systems.resultsdb,
    releases: parts.releases,
    composeStep: parts.systems.composeStep ?? noComposeStep,
    notifier: parts.notifier ?? logNotifier,
    kojiPollMs: parts.kojiPollMs ?? cfg.RELENGOTRON_KOJI_POLL_MS,
    ...(parts.dirs ?? pipelineDirs(cfg)),
  };
}

/**
 * Starts the sandbox (`up` without KOJI_URL) on the configured ports and folders. Its Koji
 * publishes its changes as Koji's fedora-messaging plugin does, to whichever bus `publisher`
 * answers once the bus is up.
 */
export function startConfiguredSandbox(cfg: Config, opts: { publisher: () => BusPublisher | undefined; log: (line: string) => void }): Promise<Sandbox> {
  return startSandbox({
    dir: path.join(cfg.dataDir, "sandbox"),
    host: cfg.RELENGOTRON_SANDBOX_HOST,
    kojiPort: cfg.RELENGOTRON_SANDBOX_PORT,
    webPort: cfg.RELENGOTRON_SANDBOX_WEB_PORT,
    composeRoot: cfg.composeRoot,
    mirrorDir: cfg.mirrorDir,
    taskDurationMs: cfg.RELENGOTRON_SANDBOX_TASK_MS,
    onKojiEvent: sandboxKojiPublisher(opts.publisher, opts.log),
    log: opts.log,
  });
}

/** A client of the running sandbox's Koji with its account (`relengotron sandbox …`). */
export function sandboxKoji(cfg: Config): KojiClient {
  if (!cfg.useSandbox) throw new Error("KOJI_URL is set: `sandbox` commands only talk to the sandbox hub");
  const passwordFile = path.join(cfg.dataDir, "sandbox", "koji-password");
  if (!fs.existsSync(passwordFile)) throw new Error(`${passwordFile} does not exist: start the sandbox with ./run start first`);
  return new KojiClient({
    url: `http://${cfg.RELENGOTRON_SANDBOX_HOST}:${cfg.RELENGOTRON_SANDBOX_PORT}/kojihub`,
    user: SANDBOX_KOJI_USER,
    password: fs.readFileSync(passwordFile, "utf8").trim(),
  });
}
