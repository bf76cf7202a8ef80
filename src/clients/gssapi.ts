// Kerberos through GSSAPI, for HTTP Negotiate (SPNEGO, RFC 4559): the initiator side makes the
// token Koji's `sslLogin` wants (what requests-gssapi does for koji.ClientSession.gssapi_login),
// the acceptor side verifies one against a keytab (what mod_auth_gssapi does in front of a real
// hub's /ssllogin). Both use MIT krb5 through the `kerberos` npm package, a native addon built
// from source against libkrb5-dev; it is an optional dependency, loaded only when used.
//
// MIT krb5 takes keytabs and credential caches from the environment (KRB5_CLIENT_KTNAME,
// KRB5CCNAME, KRB5_KTNAME), read afresh by every GSSAPI call. Like koji's gssapi_login, which sets
// KRB5_CLIENT_KTNAME and KRB5CCNAME around its login (koji/__init__.py), every operation here sets
// the variables it needs and restores them afterwards; operations run one at a time, so two
// clients (or a client and the sandbox hub in one process) never see each other's settings.
import { createRequire } from "node:module";

interface KerberosModule {
  GSS_MECH_OID_SPNEGO: number;
  initializeClient(service: string, options?: { principal?: string; mechOID?: number }): Promise<{ step(challenge: string): Promise<string>; response: string; contextComplete: boolean }>;
  initializeServer(service: string): Promise<{ step(challenge: string): Promise<string>; username: string; response: string; contextComplete: boolean }>;
}

/** The `kerberos` package is not installed or its native part did not build. */
export class GssapiUnavailableError extends Error {
  constructor(cause: unknown) {
    super(
      "Kerberos (GSSAPI) is not available: the optional npm package `kerberos` is missing or did not build " +
        `(${(cause as Error)?.message ?? String(cause)}). Install Debian's libkrb5-dev and run ` +
        "`npm_config_nodedir=/usr npm rebuild kerberos` (./run does this when krb5-config is present).",
      { cause },
    );
    this.name = "GssapiUnavailableError";
  }
}

/** A GSSAPI operation failed; `message` carries MIT krb5's own words. */
export class GssapiError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GssapiError";
  }
}

let loaded: KerberosModule | undefined;
function kerberos(): KerberosModule {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)("kerberos") as KerberosModule;
  } catch (err) {
    throw new GssapiUnavailableError(err);
  }
  return loaded;
}

/** Whether the native GSSAPI binding loads on this machine. */
export function gssapiAvailable(): boolean {
  try {
    kerberos();
    return true;
  } catch {
    return false;
  }
}

type KrbEnv = Partial<Record<"KRB5_CLIENT_KTNAME" | "KRB5CCNAME" | "KRB5_KTNAME", string | undefined>>;

let queue: Promise<unknown> = Promise.resolve();
/** Runs `op` alone, with the given variables set (undefined: unset) and restored afterwards. */
function withKrbEnv<T>(vars: KrbEnv, op: () => Promise<T>): Promise<T> {
  const task = async () => {
    const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    const apply = (values: Record<string, string | undefined>) => {
      for (const [k, v] of Object.entries(values)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
    apply(vars);
    try {
      return await op();
    } finally {
      apply(saved);
    }
  };
  const next = queue.then(task, task);
  queue = next.catch(() => undefined);
  return next;
}

/** GSSAPI's name for an HTTP service: `HTTP@host`, as requests-gssapi names the hub. */
export function httpService(url: string): string {
  return `HTTP@${new URL(url).hostname.replace(/^\[|\]$/g, "")}`;
}

export interface GssapiInitiator {
  /** Client principal (`user@REALM`); default: the credential cache's. */
  principal?: string;
  /** Client keytab: tickets are obtained from it (MIT's KRB5_CLIENT_KTNAME) into `ccache`. */
  keytab?: string;
  /** Credential cache (KRB5CCNAME form, e.g. FILE:/tmp/cc or MEMORY:x); default: the environment's. */
  ccache?: string;
}

/**
 * The first (and for Kerberos, only) SPNEGO token for `service`, base64, as sent in
 * `Authorization: Negotiate <token>`.
 */
export async function spnegoToken(service: string, who: GssapiInitiator): Promise<string> {
  const krb = kerberos();
  const vars: KrbEnv = {};
  if (who.keytab) vars.KRB5_CLIENT_KTNAME = `FILE:${who.keytab.replace(/^FILE:/, "")}`;
  if (who.ccache) vars.KRB5CCNAME = who.ccache;
  return withKrbEnv(vars, async () => {
    try {
      const client = await krb.initializeClient(service, { principal: who.principal, mechOID: krb.GSS_MECH_OID_SPNEGO });
      const token = await client.step("");
      if (!token) throw new GssapiError("GSSAPI produced no token");
      return token;
    } catch (err) {
      if (err instanceof GssapiError) throw err;
      throw new GssapiError((err as Error).message, { cause: err });
    }
  });
}

export interface AcceptedContext {
  /** The authenticated client principal, e.g. `releng@FEDORAPROJECT.ORG` (mod_auth_gssapi's REMOTE_USER). */
  principal: string;
  /** The acceptor's reply token for mutual authentication, if any (base64). */
  response: string | null;
}

/** Verifies a client's SPNEGO token as `service` (`HTTP@host`) with the keys in `keytab`. */
export async function acceptSpnegoToken(service: string, keytab: string, token: string): Promise<AcceptedContext> {
  const krb = kerberos();
  return withKrbEnv({ KRB5_KTNAME: `FILE:${keytab.replace(/^FILE:/, "")}` }, async () => {
    try {
      const server = await krb.initializeServer(service);
      await server.step(token);
      if (!server.contextComplete || !server.username) throw new GssapiError("the GSSAPI context did not complete");
      return { principal: server.username, response: server.response || null };
    } catch (err) {
      if (err instanceof GssapiError) throw err;
      throw new GssapiError((err as Error).message, { cause: err });
    }
  });
}
