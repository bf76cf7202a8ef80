// The one place that reads the environment. Everything else receives a Config.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { busConfigShape } from "./bus/config.js";
import { portField as port, secondsField as positiveSeconds, urlField as url } from "./env-fields.js";
import { redactUrl } from "./redact.js";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Every environment variable relengotron reads, with its default. */
export const configSchema = z.object({
  DATABASE_URL: url(["postgres:", "postgresql:"]).optional(),
  RELENGOTRON_DATA_DIR: z.string().min(1).default(path.join(projectRoot, ".data")),
  RELENGOTRON_EMBEDDED_PG_PORT: port.default(55432),
  RELENGOTRON_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),

  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:/]+:\d+$/, "expected host:port, e.g. 127.0.0.1:7233")
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default("default"),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default("relengotron"),
  TEMPORAL_CLI: z.string().min(1).optional(),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),

  RELENGOTRON_API_HOST: z.string().min(1).default("127.0.0.1"),
  RELENGOTRON_API_PORT: port.default(8080),
  RELENGOTRON_API_TOKENS_FILE: z.string().min(1).optional(),

  KOJI_URL: url(["http:", "https:"]).optional(),
  KOJI_TOPURL: url(["http:", "https:"]).optional(),
  KOJI_USER: z.string().min(1).optional(),
  KOJI_PASSWORD: z.string().min(1).optional(),
  RESULTSDB_URL: url(["http:", "https:"]).optional(),

  RELENGOTRON_SANDBOX_HOST: z.string().min(1).default("127.0.0.1"),
  /** the sandbox Koji hub */
  RELENGOTRON_SANDBOX_PORT: port.default(8090),
  /** the sandbox ResultsDB, compose trees and mirror over HTTP */
  RELENGOTRON_SANDBOX_WEB_PORT: port.default(8091),
  /** how long a sandbox Koji image build takes */
  RELENGOTRON_SANDBOX_TASK_MS: z.coerce.number().int().min(0).default(1500),
  /** how often running Koji tasks are polled */
  RELENGOTRON_KOJI_POLL_MS: z.coerce.number().int().min(10).default(5000),
  RELENGOTRON_MIRROR_DIR: z.string().min(1).optional(),
  RELENGOTRON_COMPOSE_ROOT: z.string().min(1).optional(),
  RELENGOTRON_ARTIFACTS_DIR: z.string().min(1).default(path.join(projectRoot, "config", "artifacts")),

  RELENGOTRON_SIGNOFF_REMIND_AFTER: positiveSeconds.default(4 * 3600),
  RELENGOTRON_SIGNOFF_EXPIRE_AFTER: positiveSeconds.default(72 * 3600),
  RELENGOTRON_BUILD_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  ...busConfigShape,
});

export type ConfigEnv = z.infer<typeof configSchema>;

/** Resolved settings: defaults that depend on other settings are filled in here. */
export interface Config extends ConfigEnv {
  dataDir: string;
  mirrorDir: string;
  composeRoot: string;
  apiTokensFile: string;
  /** true when no KOJI_URL is set: the sandbox hub stands in for Koji. */
  useSandbox: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset": docker-compose and shells produce them for blank values.
  const present = Object.fromEntries(
    Object.keys(configSchema.shape)
      .map((key) => [key, env[key]] as const)
      .filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? "environment");
        const value = present[name];
        return `${name}: ${issue.message}${value === undefined ? "" : ` (got ${JSON.stringify(redact(name, value))})`}`;
      }),
    );
  }
  const c = parsed.data;
  const dataDir = path.resolve(c.RELENGOTRON_DATA_DIR);
  return Object.freeze({
    ...c,
    dataDir,
    mirrorDir: path.resolve(c.RELENGOTRON_MIRROR_DIR ?? path.join(dataDir, "mirror")),
    composeRoot: path.resolve(c.RELENGOTRON_COMPOSE_ROOT ?? path.join(dataDir, "composes")),
    apiTokensFile: path.resolve(c.RELENGOTRON_API_TOKENS_FILE ?? path.join(dataDir, "api-tokens")),
    useSandbox: c.KOJI_URL === undefined,
  });
}

function redact(name: string, value: string): string {
  return /PASSWORD|TOKEN|SECRET/.test(name) ? "***" : redactUrl(value);
}

let cached: Config | undefined;
/** The process-wide configuration, read from the environment on first use. */
export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
