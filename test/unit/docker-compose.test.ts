// docker-compose.yml cannot run on this machine (no Docker engine), so it is checked here: the
// services a production-like deployment needs, wired to each other, with environments that
// relengotron's own config schema accepts.
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { configSchema, loadConfig, projectRoot } from "../../src/config.js";

type Service = { image?: string; build?: unknown; command?: string[]; environment?: Record<string, string>; depends_on?: unknown };
const compose = parse(fs.readFileSync(path.join(projectRoot, "docker-compose.yml"), "utf8"), { merge: true }) as { services: Record<string, Service> };

/** ${VAR:-default} and ${VAR:?message} as docker compose substitutes them, with a sample secret. */
function substitute(value: string): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) =>
    op === "-" ? (arg ?? "") : name === "POSTGRES_PASSWORD" ? "s3cret" : "",
  );
}

const relengotron = Object.entries(compose.services).filter(([name]) => name.startsWith("relengotron-"));

describe("docker-compose.yml", () => {
  it("has PostgreSQL, a Temporal server on it, the Web UI, and relengotron's worker and API", () => {
    const s = compose.services;
    expect(Object.keys(s)).toEqual(expect.arrayContaining(["postgresql", "temporal", "temporal-ui", "relengotron-worker", "relengotron-api", "relengotron-migrate"]));
    expect(s.temporal!.environment).toMatchObject({ DB: "postgres12", POSTGRES_SEEDS: "postgresql" });
    expect(s["temporal-ui"]!.environment!.TEMPORAL_ADDRESS).toBe("temporal:7233");
    expect(s["relengotron-worker"]!.command).toEqual(["worker"]);
    expect(s["relengotron-api"]!.command).toEqual(["api"]);
    expect(s["relengotron-migrate"]!.command).toEqual(["migrate"]);
  });

  it("registers every search attribute the pipelines set", async () => {
    const { searchAttributeKeys } = await import("../../src/temporal/search-attributes.js");
    const command = JSON.stringify(compose.services["temporal-search-attributes"]!.command);
    for (const key of searchAttributeKeys) expect(command).toContain(`--name ${key.name} --type ${key.type === "KEYWORD_LIST" ? "KeywordList" : "Keyword"}`);
  });

  it.each(relengotron)("%s: every variable is one relengotron reads, and the config accepts the values", (_name, service) => {
    const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, substitute(String(v))]));
    const known = Object.keys(configSchema.shape);
    expect(Object.keys(env).filter((k) => !known.includes(k))).toEqual([]);
    const cfg = loadConfig(env);
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
