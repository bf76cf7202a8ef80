// docker-compose.yml cannot run on this machine (no Docker engine), so it is checked here: the
// services a production-like deployment needs, wired to each other, with environments that
// relengotron's own config schema accepts.
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { configSchema, loadConfig, projectRoot } from "../../src/config.js";
import { busKoji, configuredEndpoints } from "../../src/runtime/wiring.js";

type Service = { image?: string; build?: unknown; command?: string[]; environment?: Record<string, string>; depends_on?: unknown };
const compose = parse(fs.readFileSync(path.join(projectRoot, "docker-compose.yml"), "utf8"), { merge: true }) as { services: Record<string, Service> };

/** What an operator sets for the variables the file requires (${VAR:?message}). */
const required: Record<string, string> = {
  POSTGRES_PASSWORD: "s3cret",
  AMQP_URL: "amqps://relengotron@rabbitmq.stg.fedoraproject.org/%2Fpubsub",
  KOJI_PRINCIPAL: "relengotron/releng.stg.example.org@STG.FEDORAPROJECT.ORG",
};

/** ${VAR:-default} and ${VAR:?message} as docker compose substitutes them, with sample values for the required ones. */
function substitute(value: string): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    if (op === "-") return arg ?? "";
    if (op === "?" && !(name in required)) throw new Error(`docker-compose.yml requires ${name}: give this test a sample value`);
    return required[name] ?? "";
  });
}

function configOf(service: Service) {
  return loadConfig(Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, substitute(String(v))])));
}

const relengotron = Object.entries(compose.services).filter(([name]) => name.startsWith("relengotron-"));
/** The services run from relengotron's image: their command is a relengotron subcommand. */
const fromImage = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);

describe("docker-compose.yml", () => {
  it("has PostgreSQL, a Temporal server on it, the Web UI, and relengotron's migrate job, worker, bus consumer and API", () => {
    const s = compose.services;
    expect(Object.keys(s)).toEqual(
      expect.arrayContaining(["postgresql", "temporal", "temporal-search-attributes", "temporal-ui", "relengotron-migrate", "relengotron-worker", "relengotron-bus", "relengotron-api"]),
    );
    expect(s.temporal!.environment).toMatchObject({ DB: "postgres12", POSTGRES_SEEDS: "postgresql" });
    expect(s["temporal-ui"]!.environment!.TEMPORAL_ADDRESS).toBe("temporal:7233");
    expect(s["relengotron-worker"]!.command).toEqual(["worker"]);
    expect(s["relengotron-bus"]!.command).toEqual(["bus"]);
    expect(s["relengotron-api"]!.command).toEqual(["api"]);
    expect(s["relengotron-migrate"]!.command).toEqual(["migrate"]);
    expect(fromImage.map(([name]) => name).sort()).toEqual(relengotron.map(([name]) => name).sort());
  });

  it.each(fromImage)("%s: its command is a relengotron subcommand", (_name, service) => {
    const subcommands = buildProgram().commands.map((c) => c.name());
    expect(subcommands).toEqual(expect.arrayContaining(["up", "worker", "api", "bus", "migrate", "token"]));
    expect(service.command?.length).toBeGreaterThan(0);
    expect(subcommands).toContain(service.command![0]);
  });

  it("gives each service what its command requires", () => {
    const s = compose.services;
    // worker: the configured Koji and ResultsDB (no sandbox), and the deployment's release definitions
    const worker = configOf(s["relengotron-worker"]!);
    expect(() => configuredEndpoints(worker)).not.toThrow();
    expect(worker.RELENGOTRON_ARTIFACTS_DIR).not.toBe(path.join(projectRoot, "config", "artifacts"));
    // …and logs in to Koji with Kerberos, its keytab a docker secret (Fedora's hubs take nothing else)
    expect(configuredEndpoints(worker).koji.auth).toEqual({ method: "gssapi", principal: required.KOJI_PRINCIPAL, keytab: "/run/secrets/koji-keytab" });
    expect(JSON.stringify(s["relengotron-worker"]).includes("koji-keytab")).toBe(true);
    // bus: the broker and Koji (for build types)
    const bus = configOf(s["relengotron-bus"]!);
    expect(bus.AMQP_URL).toBeDefined();
    expect(() => busKoji(bus)).not.toThrow();
    expect(bus.RELENGOTRON_TOPIC_PREFIX).toBe(worker.RELENGOTRON_TOPIC_PREFIX);
    // …over TLS with a client certificate, as Fedora's broker wants: the files are docker secrets
    // the service mounts, and its queue a UUID kept in the data volume
    expect(bus.AMQP_URL!.startsWith("amqps://")).toBe(true);
    const secrets = (s["relengotron-bus"] as { secrets?: string[] }).secrets ?? [];
    const declared = (compose as unknown as { secrets: Record<string, { file?: string }> }).secrets;
    for (const [variable, secret] of [["AMQP_CA_CERT", "amqp-ca-cert"], ["AMQP_CERT", "amqp-cert"], ["AMQP_KEY", "amqp-key"]] as const) {
      expect(bus[variable]).toBe(`/run/secrets/${secret}`);
      expect(secrets).toContain(secret);
      expect(declared[secret]?.file).toMatch(/^\.\//);
    }
    expect(bus.RELENGOTRON_AMQP_QUEUE).toBe("uuid");
    expect(JSON.stringify(s["relengotron-bus"]!)).toContain(`relengotron:${bus.RELENGOTRON_DATA_DIR}`);
    // the worker creates the nightly schedules, so it waits for the search attributes they set
    for (const name of ["relengotron-worker", "relengotron-bus"]) expect(JSON.stringify(s[name]!.depends_on)).toContain("temporal-search-attributes");
    // API: its tokens from the docker secret
    expect(configOf(s["relengotron-api"]!).apiTokensFile).toBe("/run/secrets/api-tokens");
  });

  it("registers every search attribute the pipelines set", async () => {
    const { searchAttributeKeys } = await import("../../src/temporal/search-attributes.js");
    const command = JSON.stringify(compose.services["temporal-search-attributes"]!.command);
    for (const key of searchAttributeKeys) expect(command).toContain(`--name ${key.name} --type ${key.type === "KEYWORD_LIST" ? "KeywordList" : "Keyword"}`);
  });

  it.each(relengotron)("%s: every variable is one relengotron reads, and the config accepts the values", (_name, service) => {
    const known = Object.keys(configSchema.shape);
    expect(Object.keys(service.environment ?? {}).filter((k) => !known.includes(k))).toEqual([]);
    const cfg = configOf(service);
    expect(cfg.useSandbox).toBe(false);
    expect(new URL(cfg.DATABASE_URL!).hostname).toBe("postgresql");
    expect(cfg.TEMPORAL_ADDRESS).toBe("temporal:7233");
  });

  it("keeps secrets out of the file", () => {
    const text = fs.readFileSync(path.join(projectRoot, "docker-compose.yml"), "utf8");
    expect(text).toMatch(/\$\{POSTGRES_PASSWORD:\?/);
    expect(text).not.toMatch(/PASSWORD:\s+[^$\s{]/);
  });
});
