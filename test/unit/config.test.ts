// The one config module: defaults, and a bad value stops start-up naming the variable and the problem.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, projectRoot } from "../../src/config.js";

describe("config", () => {
  it("fills defaults and derives paths from the data folder", () => {
    const cfg = loadConfig({ RELENGOTRON_DATA_DIR: "/srv/rt" });
    expect(cfg).toMatchObject({
      dataDir: "/srv/rt",
      mirrorDir: "/srv/rt/mirror",
      composeRoot: "/srv/rt/composes",
      apiTokensFile: "/srv/rt/api-tokens",
      TEMPORAL_PORT: 7233,
      TEMPORAL_UI_PORT: 8233,
      RELENGOTRON_API_PORT: 8080,
      TEMPORAL_NAMESPACE: "default",
      useSandbox: true,
    });
    expect(loadConfig({}).dataDir).toBe(path.join(projectRoot, ".data"));
  });

  it("treats empty values as unset", () => {
    const cfg = loadConfig({ DATABASE_URL: "", KOJI_URL: "" });
    expect(cfg.DATABASE_URL).toBeUndefined();
    expect(cfg.useSandbox).toBe(true);
  });

  it("uses the real Koji when KOJI_URL is set", () => {
    expect(loadConfig({ KOJI_URL: "https://koji.fedoraproject.org/kojihub" }).useSandbox).toBe(false);
  });

  describe("KOJI_AUTH", () => {
    const koji = { KOJI_URL: "https://koji.fedoraproject.org/kojihub" };

    it("is anonymous without credentials, password with KOJI_USER, gssapi with a principal", () => {
      expect(loadConfig(koji).kojiAuth).toEqual({ method: "none" });
      expect(loadConfig({ ...koji, KOJI_USER: "releng", KOJI_PASSWORD: "pw" }).kojiAuth).toEqual({ method: "password", user: "releng", password: "pw" });
      expect(loadConfig({ ...koji, KOJI_PRINCIPAL: "releng@FEDORAPROJECT.ORG", KOJI_KEYTAB: "/etc/krb5.releng.keytab" }).kojiAuth).toEqual({
        method: "gssapi",
        principal: "releng@FEDORAPROJECT.ORG",
        keytab: "/etc/krb5.releng.keytab",
      });
      // without a keytab the credential cache's tickets are used, as the koji CLI does
      expect(loadConfig({ ...koji, KOJI_AUTH: "gssapi" }).kojiAuth).toEqual({ method: "gssapi", principal: undefined, keytab: undefined });
      // explicit none wins: anonymous reads even with credentials around
      expect(loadConfig({ ...koji, KOJI_AUTH: "none", KOJI_USER: "releng", KOJI_PASSWORD: "pw" }).kojiAuth).toEqual({ method: "none" });
    });

    it.each([
      [{ KOJI_AUTH: "kerberos" }, /KOJI_AUTH: .*"kerberos"/],
      [{ KOJI_AUTH: "password", KOJI_USER: "releng" }, /KOJI_PASSWORD: required with KOJI_AUTH=password/],
      [{ KOJI_AUTH: "gssapi", KOJI_KEYTAB: "/etc/releng.keytab" }, /KOJI_PRINCIPAL: required with KOJI_KEYTAB/],
      [{ KOJI_PRINCIPAL: "releng@EXAMPLE.ORG", KOJI_USER: "releng", KOJI_PASSWORD: "pw" }, /KOJI_AUTH: .*choose one/],
      [{ KOJI_PRINCIPAL: "rel eng@EXAMPLE.ORG" }, /KOJI_PRINCIPAL: expected a Kerberos principal/],
    ])("rejects %o naming the variable", (env, message) => {
      expect(() => loadConfig({ ...koji, ...env })).toThrow(message);
    });

    it("never echoes the password of a refused combination", () => {
      expect(() => loadConfig({ ...koji, KOJI_AUTH: "password", KOJI_PASSWORD: "hunter2" })).toThrow(/KOJI_USER: required/);
      expect(() => loadConfig({ ...koji, KOJI_AUTH: "password", KOJI_PASSWORD: "hunter2" })).not.toThrow(/hunter2/);
    });
  });

  it.each([
    ["RELENGOTRON_API_PORT", "eighty", /RELENGOTRON_API_PORT: expected a port number.*"eighty"/],
    ["TEMPORAL_PORT", "70000", /TEMPORAL_PORT: expected a port from 1 to 65535/],
    ["TEMPORAL_ADDRESS", "http://temporal:7233", /TEMPORAL_ADDRESS: expected host:port/],
    ["KOJI_URL", "koji.fedoraproject.org", /KOJI_URL: expected a URL starting with http:\/\/ or https:\/\//],
    ["RELENGOTRON_LOG_LEVEL", "loud", /RELENGOTRON_LOG_LEVEL: .*"loud"/],
  ])("rejects %s=%s naming the variable", (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it("reports every bad variable at once and never echoes a password", () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: "mysql://u:hunter2@db/x", TEMPORAL_PORT: "x", KOJI_PASSWORD: "" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(2);
    expect((error as Error).message).toMatch(/DATABASE_URL: expected a URL starting with postgres:\/\/ or postgresql:\/\//);
    expect((error as Error).message).not.toContain("hunter2");
  });
});
