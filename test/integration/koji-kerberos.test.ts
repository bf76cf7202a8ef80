// Kerberos login to Koji, proved against a real MIT KDC on loopback (a realm this test makes):
// relengotron's KojiClient and the real Python koji CLI (`koji --authtype=kerberos`) log in to the
// sandbox hub through sslLogin at /kojihub/ssllogin, where the hub verifies the SPNEGO token with
// real GSSAPI against its service keytab. Wrong keytabs, expired tickets and missing tickets are
// refused; an expired session faults AuthExpired (Koji's code) and the client logs in again once.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gssapiAvailable } from "../../src/clients/gssapi.js";
import { KOJI_FAULT_CODES, KojiClient, KojiError, KojiLoginError, type KojiAuth } from "../../src/clients/koji.js";
import { XmlRpcClient, XmlRpcFault } from "../../src/clients/xmlrpc-client.js";
import { KojiHub, type KojiHubOptions } from "../../src/sandbox/koji-hub.js";
import { startKdc, type Kdc } from "../support/kdc.js";

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const KOJI_CLI = path.join(ROOT, ".venv/bin/koji");
const PYTHON = path.join(ROOT, ".venv/bin/python");

/** Every request a client made: where it went and with which auth headers. */
interface Seen {
  path: string;
  method: string;
  authorization: string | undefined;
  sessionId: string | undefined;
  sessionKey: string | undefined;
  query: string;
}

function recordingFetch(seen: Seen[]): typeof fetch {
  return async (input, init) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === "string" ? init.body : "";
    seen.push({
      path: url.pathname,
      method: /<methodName>([^<]*)<\/methodName>/.exec(body)?.[1] ?? "?",
      authorization: headers.get("authorization") ?? undefined,
      sessionId: headers.get("koji-session-id") ?? undefined,
      sessionKey: headers.get("koji-session-key") ?? undefined,
      query: url.search,
    });
    return fetch(input, init);
  };
}

let kdc: Kdc;
let dir: string;
let hub: KojiHub;
let clockOffsetMs = 0;
const keytabs: Record<string, string> = {};
let staleRelengKeytab: string;
let staleHubKeytab: string;
let caFile: string;
let tls: { key: string; cert: string };
const savedEnv = { KRB5_CONFIG: process.env.KRB5_CONFIG, KRB5CCNAME: process.env.KRB5CCNAME };

const principal = (name: string) => kdc.principal(name);
const gssapi = (name: string, extra: Partial<Extract<KojiAuth, { method: "gssapi" }>> = {}): KojiAuth => ({
  method: "gssapi",
  principal: principal(name),
  keytab: keytabs[name],
  ...extra,
});

async function startHub(options: Partial<KojiHubOptions> = {}): Promise<KojiHub> {
  return KojiHub.start({
    topDir: fs.mkdtempSync(path.join(dir, "topdir-")),
    users: [
      { name: "releng", password: "releng-pw", perms: ["admin"], krbPrincipals: [principal("releng")] },
      // a user known by name only: its principal is added at its first Kerberos login
      { name: "bodhi", perms: [] },
    ],
    gssapi: { keytab: keytabs["HTTP/127.0.0.1"]! },
    tls,
    clock: () => Date.now() + clockOffsetMs,
    log: () => {},
    ...options,
  });
}

beforeAll(async () => {
  for (const bin of [KOJI_CLI, PYTHON]) {
    if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: \`./run test\` installs the Python peers into .venv`);
  }
  if (!gssapiAvailable()) throw new Error("the kerberos npm package did not build: ./run installs libkrb5-dev and rebuilds it");
  kdc = await startKdc();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-koji-krb-"));
  // This process speaks Kerberos too (KojiClient, and the hub's acceptor): the test realm only.
  process.env.KRB5_CONFIG = kdc.krb5Config;
  process.env.KRB5CCNAME = `FILE:${path.join(dir, "ccache-of-the-test-process")}`;

  for (const name of ["HTTP/127.0.0.1", "releng", "bodhi", "packager", "nobody"]) await kdc.addPrincipal(name);
  // Exporting again picks new keys: the first keytab of releng and of the hub go stale.
  staleRelengKeytab = await kdc.exportKeytab("releng", path.join(dir, "releng-stale.keytab"));
  staleHubKeytab = await kdc.exportKeytab("HTTP/127.0.0.1", path.join(dir, "hub-stale.keytab"));
  for (const name of ["HTTP/127.0.0.1", "releng", "bodhi", "packager"]) keytabs[name] = await kdc.exportKeytab(name, path.join(dir, `${name.replace("/", "_")}.keytab`));

  // koji's gssapi_login switches the hub URL to https: the CLI talks to the hub's TLS listener.
  const key = path.join(dir, "hub-key.pem");
  caFile = path.join(dir, "hub-cert.pem");
  await run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", caFile, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]);
  tls = { key: fs.readFileSync(key, "utf8"), cert: fs.readFileSync(caFile, "utf8") };
  hub = await startHub();
});

afterAll(async () => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await hub?.close();
  await kdc?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("KojiClient logs in with Kerberos (KOJI_AUTH=gssapi)", () => {
  it("a principal with a keytab: sslLogin at /kojihub/ssllogin with a Negotiate token, then the session", async () => {
    const seen: Seen[] = [];
    const client = new KojiClient({ url: hub.url, auth: gssapi("releng"), fetch: recordingFetch(seen) });
    await client.login();
    const me = await client.getLoggedInUser();
    expect(me).toMatchObject({ name: "releng", authtype: 3, krb_principals: [principal("releng")], krb_principal: principal("releng") });

    const [login, call] = seen;
    expect(login).toMatchObject({ path: "/kojihub/ssllogin", method: "sslLogin", sessionId: undefined });
    expect(login!.authorization).toMatch(/^Negotiate [A-Za-z0-9+/]+=*$/);
    expect(call).toMatchObject({ path: "/kojihub", method: "getLoggedInUser", authorization: undefined });
    expect(call!.sessionId).toMatch(/^\d+$/);
    // The keytab's tickets went to a cache of the client's own, not the process's default one.
    expect(fs.existsSync(path.join(dir, "ccache-of-the-test-process"))).toBe(false);
    await client.logout();
  });

  it("maps a new principal to the user named before its realm, as LoginCreatesUser does", async () => {
    const packager = new KojiClient({ url: hub.url, auth: gssapi("packager") });
    expect(await packager.getLoggedInUser()).toBeNull();
    await packager.login();
    expect(await packager.getLoggedInUser()).toMatchObject({ name: "packager", krb_principals: [principal("packager")] });
    // an existing user without a principal gains it at its first Kerberos login
    const bodhi = new KojiClient({ url: hub.url, auth: gssapi("bodhi") });
    await bodhi.login();
    expect(await bodhi.getLoggedInUser()).toMatchObject({ name: "bodhi", krb_principals: [principal("bodhi")] });

    const strict = await startHub({ loginCreatesUser: false });
    try {
      const refused = new KojiClient({ url: strict.url, auth: gssapi("packager") });
      await expect(refused.login()).rejects.toMatchObject({ faultClass: "koji.AuthError", faultString: `Unknown user: ${principal("packager")}` });
    } finally {
      await strict.close();
    }
  });

  it("uses the tickets of a credential cache when there is no keytab (kinit -k -t)", async () => {
    const ccache = `FILE:${path.join(dir, "cc-releng")}`;
    await kdc.kinit("releng", keytabs.releng!, ccache);
    const client = new KojiClient({ url: hub.url, auth: { method: "gssapi", ccache } });
    await client.login();
    expect(await client.getLoggedInUser()).toMatchObject({ name: "releng", authtype: 3 });
  });

  it("refuses a stale keytab, a keytab without the principal, an expired ticket and no ticket, saying why", async () => {
    const stale = new KojiClient({ url: hub.url, auth: gssapi("releng", { keytab: staleRelengKeytab }) });
    const staleError = await stale.login().catch((e: unknown) => e);
    expect(staleError).toBeInstanceOf(KojiLoginError);
    expect((staleError as Error).message).toMatch(new RegExp(`Kerberos login to .* as ${principal("releng")} failed: .*(Preauthentication failed|Password incorrect|integrity)`, "i"));
    expect(stale.loggedIn).toBe(false);

    const foreign = new KojiClient({ url: hub.url, auth: gssapi("nobody", { keytab: keytabs.releng }) });
    await expect(foreign.login()).rejects.toThrow(new RegExp(`as ${principal("nobody")} failed: .*(not found in keytab|No key table entry|keytab)`, "i"));

    // kinit with a 2-second lifetime; the KDC's clock skew allowance is 1 s
    const shortLived = `FILE:${path.join(dir, "cc-short")}`;
    await kdc.kinit("releng", keytabs.releng!, shortLived, { lifetime: "2s" });
    await new Promise((r) => setTimeout(r, 4000));
    const expired = new KojiClient({ url: hub.url, auth: { method: "gssapi", principal: principal("releng"), ccache: shortLived } });
    await expect(expired.login()).rejects.toThrow(/failed: .*expired/i);

    const empty = new KojiClient({ url: hub.url, auth: { method: "gssapi", ccache: `FILE:${path.join(dir, "cc-none")}` } });
    await expect(empty.login()).rejects.toThrow(/failed: .*(credentials|ticket).*\(is there a valid ticket in FILE:.*cc-none \(kinit\), or set KOJI_KEYTAB\?\)/i);
  });

  it("sends a Negotiate token only over https, or to loopback", async () => {
    const seen: Seen[] = [];
    const cleartext = new KojiClient({ url: "http://koji.example.org/kojihub", auth: gssapi("releng"), fetch: recordingFetch(seen) });
    await expect(cleartext.login()).rejects.toThrow(/refusing to send a Negotiate token over plain http; use the hub's https:\/\/ URL/);
    expect(seen).toEqual([]);
  });

  it("a hub whose service keytab is stale refuses the token (401 from /ssllogin, GSSAPI's reason)", async () => {
    const misconfigured = await startHub({ gssapi: { keytab: staleHubKeytab } });
    try {
      const client = new KojiClient({ url: misconfigured.url, auth: gssapi("releng") });
      const err = await client.login().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KojiLoginError);
      expect((err as Error).message).toMatch(/was refused: HTTP 401: Unauthorized: GSSAPI could not verify the token for HTTP@127\.0\.0\.1/);
    } finally {
      await misconfigured.close();
    }
  });

  it("sslLogin without a verified principal is refused as Koji refuses it", async () => {
    // at /kojihub: no REMOTE_USER, so Koji looks for a TLS client certificate
    await expect(new XmlRpcClient({ url: hub.url }).call("sslLogin")).rejects.toMatchObject({ faultCode: KOJI_FAULT_CODES.AuthError, faultString: "could not verify client: None" });
    // at /kojihub/ssllogin without a token: the Negotiate challenge
    const res = await fetch(`${hub.url}/ssllogin`, { method: "POST", headers: { "Content-Type": "text/xml" }, body: "<methodCall><methodName>sslLogin</methodName><params/></methodCall>" });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Negotiate");
    const garbage = await fetch(`${hub.url}/ssllogin`, { method: "POST", headers: { Authorization: "Negotiate YWJj" }, body: "<methodCall><methodName>sslLogin</methodName><params/></methodCall>" });
    expect(garbage.status).toBe(401);
    expect(await garbage.text()).toMatch(/GSSAPI could not verify the token/);
  });
});

describe("the real koji CLI logs in to the sandbox hub with Kerberos", () => {
  async function koji(env: { ccache: string }, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const conf = path.join(dir, "koji.conf");
    fs.writeFileSync(conf, `[koji]\nserver = ${hub.httpsUrl}\nserverca = ${caFile}\n`);
    try {
      const { stdout, stderr } = await run(KOJI_CLI, ["-c", conf, "--server", hub.httpsUrl, "--authtype=kerberos", ...args], {
        env: kdc.env({ ccache: env.ccache }),
        timeout: 60_000,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === "number" ? e.code : 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
    }
  }

  it("with a ccache from kinit -k -t: moshimoshi says who it is and that GSSAPI authenticated it", async () => {
    const ccache = `FILE:${path.join(dir, "cc-cli")}`;
    await kdc.kinit("releng", keytabs.releng!, ccache);
    const out = await koji({ ccache }, "moshimoshi");
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/, releng!\n/);
    expect(out.stdout).toContain(`You are using the hub at ${hub.httpsUrl}`);
    expect(out.stdout).toContain("Authenticated via GSSAPI");
  });

  it("with --principal and --keytab, as a service account logs in", async () => {
    const out = await koji({ ccache: `FILE:${path.join(dir, "cc-cli-keytab")}` }, "--principal", principal("packager"), "--keytab", keytabs.packager!, "moshimoshi");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/, packager!\n/);
  });

  it("refuses a stale keytab, an expired ticket and no ticket with koji's GSSAPIAuthError", async () => {
    const stale = await koji({ ccache: `FILE:${path.join(dir, "cc-cli-stale")}` }, "--principal", principal("releng"), "--keytab", staleRelengKeytab, "moshimoshi");
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toMatch(/GSSAPIAuthError: unable to obtain a session \(gssapi auth failed: .*401 Client Error: Unauthorized/);
    // …because the KDC refused the stale keys: kinit says so in its own words
    await expect(kdc.kinit("releng", staleRelengKeytab, `FILE:${path.join(dir, "cc-kinit-stale")}`)).rejects.toThrow(/Preauthentication failed|Password incorrect/);

    const shortLived = `FILE:${path.join(dir, "cc-cli-short")}`;
    await kdc.kinit("releng", keytabs.releng!, shortLived, { lifetime: "2s" });
    await new Promise((r) => setTimeout(r, 4000));
    // the ticket is there but no longer valid (klist -s: exit status 1)
    await expect(run("klist", ["-s"], { env: kdc.env({ ccache: shortLived }) })).rejects.toMatchObject({ code: 1 });
    const expired = await koji({ ccache: shortLived }, "moshimoshi");
    expect(expired.code).not.toBe(0);
    // requests-gssapi cannot answer the hub's Negotiate challenge, so the 401 stands
    expect(expired.stderr).toMatch(/GSSAPIAuthError: unable to obtain a session \(gssapi auth failed: requests\.exceptions\.HTTPError: 401 Client Error: Unauthorized for url: https:\/\/127\.0\.0\.1:\d+\/kojihub\/ssllogin\)/);

    const none = await koji({ ccache: `FILE:${path.join(dir, "cc-cli-none")}` }, "moshimoshi");
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/unable to obtain a session \(gssapi auth failed: .*401 Client Error: Unauthorized/);
  });
});

describe("sessions expire after SessionRenewalTimeout", () => {
  it("a session past the timeout faults AuthExpired; the client logs in again once and the call succeeds", async () => {
    const seen: Seen[] = [];
    const client = new KojiClient({ url: hub.url, auth: gssapi("releng"), fetch: recordingFetch(seen) });
    await client.login();
    await client.getLoggedInUser();
    const firstSession = seen.at(-1)!.sessionId!;
    const firstKey = seen.at(-1)!.sessionKey!;

    clockOffsetMs += 1441 * 60_000; // Koji's default: 1440 minutes
    // the old session, replayed by hand: AuthExpired with Koji's code and message
    const replay = new XmlRpcClient({ url: hub.url });
    const expiredFault = await replay.call("getLoggedInUser", [], { headers: { "Koji-Session-Id": firstSession, "Koji-Session-Key": firstKey } }).catch((e: unknown) => e);
    expect(expiredFault).toMatchObject({ faultCode: KOJI_FAULT_CODES.AuthExpired, faultString: `session "${firstSession}" has expired` });

    seen.length = 0;
    // three calls at once see the session expire; they share one new login
    const users = await Promise.all([client.getLoggedInUser(), client.getLoggedInUser(), client.getLoggedInUser()]);
    expect(users.map((u) => u?.name)).toEqual(["releng", "releng", "releng"]);
    expect(seen.filter((s) => s.path === "/kojihub/ssllogin")).toHaveLength(1);
    const retried = seen.filter((s) => s.path === "/kojihub" && s.sessionId !== firstSession);
    expect(retried).toHaveLength(3);
    expect(new Set(retried.map((s) => s.sessionId)).size).toBe(1);
    expect(seen.filter((s) => s.sessionId === firstSession).length).toBeGreaterThanOrEqual(1);
  });

  it("every call with an expired session faults AuthExpired (1007), reads and multicalls included", async () => {
    const short = await startHub({ sessionRenewalTimeout: 1 });
    try {
      const seen: Seen[] = [];
      // A raw client that logs in once and never renews, to see the hub's answers.
      const sinfo = (await new XmlRpcClient({ url: short.url }).call("login", ["releng", "releng-pw"])) as Record<string, unknown>;
      const headers = { "Koji-Session-Id": String(sinfo["session-id"]), "Koji-Session-Key": String(sinfo["session-key"]) };
      const raw = new XmlRpcClient({ url: short.url, fetch: recordingFetch(seen) });
      expect(await raw.call("getLoggedInUser", [], { headers })).toMatchObject({ name: "releng", authtype: 0 });
      clockOffsetMs += 61_000;
      for (const call of [() => raw.call("getLoggedInUser", [], { headers }), () => raw.call("hello", [], { headers }), () => raw.multicall([{ method: "hello" }], { headers })]) {
        const err = await call().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(XmlRpcFault);
        expect(err).toMatchObject({ faultCode: KOJI_FAULT_CODES.AuthExpired, faultString: `session "${sinfo["session-id"]}" has expired` });
      }
      // a login call may still present it, and renew=True keeps the session id (kojihub/auth.py)
      const renewed = (await raw.call("login", ["releng", "releng-pw"], { headers, kwargs: { renew: true } })) as Record<string, unknown>;
      expect(renewed["session-id"]).toBe(sinfo["session-id"]);
      expect(renewed["session-key"]).not.toBe(sinfo["session-key"]);
      const fresh = { "Koji-Session-Id": String(renewed["session-id"]), "Koji-Session-Key": String(renewed["session-key"]) };
      expect(await raw.call("getLoggedInUser", [], { headers: fresh })).toMatchObject({ name: "releng" });
    } finally {
      await short.close();
    }
  });

  it("logs in again only once: a session that is expired again at once surfaces AuthExpired", async () => {
    // every clock reading is a day later: each new session has expired by its first use
    let tick = 0;
    const aging = await startHub({ clock: () => Date.now() + clockOffsetMs + tick++ * 86_400_000 });
    try {
      const seen: Seen[] = [];
      const client = new KojiClient({ url: aging.url, auth: { method: "password", user: "releng", password: "releng-pw" }, fetch: recordingFetch(seen) });
      await client.login();
      const err = await client.getLoggedInUser().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KojiError);
      expect((err as KojiError).is("AuthExpired")).toBe(true);
      expect(seen.map((s) => s.method)).toEqual(["login", "getLoggedInUser", "login", "getLoggedInUser"]);
    } finally {
      await aging.close();
    }
  });

  it("password sessions are renewed the same way", async () => {
    const seen: Seen[] = [];
    const client = new KojiClient({ url: hub.url, user: "releng", password: "releng-pw", fetch: recordingFetch(seen) });
    await client.login();
    expect(await client.getLoggedInUser()).toMatchObject({ name: "releng", authtype: 0 });
    clockOffsetMs += 1441 * 60_000;
    expect(await client.getLoggedInUser()).toMatchObject({ name: "releng" });
    expect(seen.map((s) => s.method)).toEqual(["login", "getLoggedInUser", "getLoggedInUser", "login", "getLoggedInUser"]);
  });
});

describe("anonymous reads (KOJI_AUTH=none)", () => {
  it("never carry a session, never log in, and a write is refused by the hub", async () => {
    const seen: Seen[] = [];
    const anon = new KojiClient({ url: hub.url, auth: { method: "none" }, fetch: recordingFetch(seen) });
    expect(await anon.hello()).toBe("Hello World");
    expect(await anon.getLoggedInUser()).toBeNull();
    await anon.multicall([{ method: "getAPIVersion" }]);
    await expect(anon.untagBuild("f46", "no-such-1-1")).rejects.toBeInstanceOf(KojiError);
    await expect(anon.login()).rejects.toThrow(/KOJI_AUTH is none/);
    expect(anon.loggedIn).toBe(false);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (const s of seen) {
      expect(s).toMatchObject({ path: "/kojihub", authorization: undefined, sessionId: undefined, query: "" });
    }
  });
});
