// The one place that reads the environment. Everything else receives a Config.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { busConfigProblems, busConfigShape } from "./bus/config.js";
import type { KojiAuth } from "./clients/koji.js";
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
  /**
   * How relengotron logs in to KOJI_URL: gssapi (Kerberos, Fedora's only login), password, or
   * none (anonymous reads). Unset: gssapi when KOJI_PRINCIPAL or KOJI_KEYTAB is set, password
   * when KOJI_USER is, else none.
   */
  KOJI_AUTH: z.enum(["gssapi", "password", "none"]).optional(),
  KOJI_USER: z.string().min(1).optional(),
  KOJI_PASSWORD: z.string().min(1).optional(),
  /** Kerberos principal for gssapi, e.g. relengotron/releng.example.org@FEDORAPROJECT.ORG */
  KOJI_PRINCIPAL: z.string().regex(/^[^\s@]+(@[^\s@]+)?$/, "expected a Kerberos principal, name[/instance][@REALM]").optional(),
  /** Keytab holding KOJI_PRINCIPAL's keys; without it, tickets come from the credential cache (KRB5CCNAME). */
  KOJI_KEYTAB: z.string().min(1).optional(),
  RESULTSDB_URL: url(["http:", "https:"]).optional(),
  /** WaiverDB (its base URL; the API is under /api/v1.0), for POST /api/v1/decision */
  WAIVERDB_URL: url(["http:", "https:"]).optional(),
  /** Greenwave policy files for POST /api/v1/decision */
  RELENGOTRON_POLICIES_DIR: z.string().min(1).default(path.join(projectRoot, "config", "policies")),

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
}).superRefine((c, ctx) => {
  const problem = (name: string, message: string) => ctx.addIssue({ code: "custom", path: [name], message });
  const gssapiVars = c.KOJI_PRINCIPAL !== undefined || c.KOJI_KEYTAB !== undefined;
  const passwordVars = c.KOJI_USER !== undefined || c.KOJI_PASSWORD !== undefined;
  if (c.KOJI_AUTH === undefined && gssapiVars && passwordVars) {
    problem("KOJI_AUTH", "KOJI_PRINCIPAL/KOJI_KEYTAB and KOJI_USER/KOJI_PASSWORD are both set: choose one with KOJI_AUTH=gssapi or password");
  }
  const method = kojiAuthMethod(c);
  if (method === "password") {
    if (c.KOJI_USER === undefined) problem("KOJI_USER", "required with KOJI_AUTH=password");
    if (c.KOJI_PASSWORD === undefined) problem("KOJI_PASSWORD", "required with KOJI_AUTH=password");
  }
  if (method === "gssapi" && c.KOJI_KEYTAB !== undefined && c.KOJI_PRINCIPAL === undefined) {
    problem("KOJI_PRINCIPAL", "required with KOJI_KEYTAB: name the principal whose keys the keytab holds");
  }
  busConfigProblems(c, problem);
});

export type ConfigEnv = z.infer<typeof configSchema>;

function kojiAuthMethod(c: Pick<ConfigEnv, "KOJI_AUTH" | "KOJI_PRINCIPAL" | "KOJI_KEYTAB" | "KOJI_USER" | "KOJI_PASSWORD">): KojiAuth["method"] {
  if (c.KOJI_AUTH) return c.KOJI_AUTH;
  if (c.KOJI_PRINCIPAL !== undefined || c.KOJI_KEYTAB !== undefined) return "gssapi";
  if (c.KOJI_USER !== undefined || c.KOJI_PASSWORD !== undefined) return "password";
  return "none";
}

function kojiAuth(c: ConfigEnv): KojiAuth {
  const method = kojiAuthMethod(c);
  if (method === "password") return { method, user: c.KOJI_USER!, password: c.KOJI_PASSWORD! };
  if (method === "gssapi") return { method, principal: c.KOJI_PRINCIPAL, keytab: c.KOJI_KEYTAB && path.resolve(c.KOJI_KEYTAB) };
  return { method };
}

/** Resolved settings: defaults that depend on other settings are filled in here. */
export interface Config extends ConfigEnv {
  dataDir: string;
  mirrorDir: string;
  composeRoot: string;
  apiTokensFile: string;
  /** true when no KOJI_URL is set: the sandbox hub stands in for Koji. */
  useSandbox: boolean;
  /** How to log in to KOJI_URL (KOJI_AUTH and its variables); pass as KojiClient's `auth`. */
  kojiAuth: KojiAuth;
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
    kojiAuth: Object.freeze(kojiAuth(c)),
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
