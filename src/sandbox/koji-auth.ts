// How the sandbox hub knows who is calling, as kojihub/auth.py does (koji-project/koji): sessions
// from Koji-Session-* headers (or the old query string), checked for key, callnum order and age
// (SessionRenewalTimeout, after which every call but a login faults AuthExpired); `login` with a
// password; `sslLogin` for a Kerberos principal, mapped to a user through its krb_principals or,
// as LoginCreatesUser does, the principal without its realm. In front of a real hub,
// mod_auth_gssapi verifies the SPNEGO token on /kojihub/ssllogin and hands the principal over as
// REMOTE_USER; here `negotiate` does that part with real GSSAPI against the hub's keytab.
import type http from "node:http";
import { acceptSpnegoToken, GssapiError } from "../clients/gssapi.js";
import type { XmlRpcValue } from "../clients/xmlrpc-codec.js";
import { HubFault, type KojiState, type StoredSession, type StoredUser } from "./koji-state.js";

/** koji.AUTHTYPES */
export const AUTHTYPES = { NORMAL: 0, KERBEROS: 1, SSL: 2, GSSAPI: 3 } as const;

/** Methods an expired session may still call: they make it new (kojihub/auth.py AUTH_METHODS). */
const AUTH_METHODS = new Set(["login", "sslLogin"]);

export interface HubGssapiOptions {
  /** Keytab with the hub's service key (e.g. HTTP/127.0.0.1@REALM), as mod_auth_gssapi's GssapiCredStore keytab. */
  keytab: string;
  /** GSSAPI acceptor name, `HTTP@host`; default HTTP@<the host the hub listens on>. */
  service?: string;
}

export interface HubAuthOptions {
  /** Minutes a session lives from its start or last renewal (hub.conf SessionRenewalTimeout); 0: forever. */
  sessionRenewalTimeout: number;
  /** hub.conf LoginCreatesUser: an unknown principal gets a user named after it. */
  loginCreatesUser: boolean;
  /** hub.conf AllowedKrbRealms: "*" or a comma-separated list. */
  allowedKrbRealms: string;
  gssapi?: HubGssapiOptions;
}

export interface Caller {
  user: StoredUser | undefined;
  session: StoredSession | undefined;
}

/** The outcome of verifying `Authorization: Negotiate …` on /ssllogin. */
export type Negotiation = { ok: true; principal: string; response: string | null } | { ok: false; reason: string };

export class HubAuth {
  constructor(
    private readonly state: KojiState,
    private readonly passwords: ReadonlyMap<string, string>,
    private readonly options: HubAuthOptions,
  ) {}

  get gssapiEnabled(): boolean {
    return this.options.gssapi !== undefined;
  }

  /** auth.Session.__init__: Koji-Session-* headers first, then the deprecated query-string form. */
  caller(req: http.IncomingMessage, url: URL, method: string): Caller {
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    let id: string | undefined;
    let key: string | undefined;
    let callnum: string | undefined;
    if (header("koji-session-id") !== undefined) {
      id = header("koji-session-id");
      key = header("koji-session-key");
      callnum = header("koji-session-callnum") ?? header("koji-callnum");
    } else if (url.searchParams.has("session-id") || url.searchParams.has("session-key")) {
      id = url.searchParams.get("session-id") ?? undefined;
      key = url.searchParams.get("session-key") ?? undefined;
      if (id === undefined) throw new HubFault("AuthError", "'session-id' not specified in session args");
      if (key === undefined) throw new HubFault("AuthError", "'session-key' not specified in session args");
      callnum = url.searchParams.get("callnum") ?? undefined;
    }
    if (id === undefined) return { user: undefined, session: undefined };
    const session = /^\d+$/.test(id) ? this.state.findSession(Number(id)) : undefined;
    if (!session || session.key !== key) throw new HubFault("AuthError", "Invalid session or bad credentials");

    const timeout = this.options.sessionRenewalTimeout;
    if (!session.expired && timeout !== 0) {
      const since = session.renew_ts ?? session.start_ts ?? 0;
      if (this.state.nowTs() > since + timeout * 60) this.state.expireSession(session);
    }
    if (session.expired && !AUTH_METHODS.has(method)) throw new HubFault("AuthExpired", `session "${session.id}" has expired`);

    if (callnum !== undefined) {
      if (!/^-?\d+$/.test(callnum)) throw new HubFault("AuthError", `Invalid callnum: '${callnum}'`);
      const n = Number(callnum);
      if (session.callnum !== null && session.callnum > n) throw new HubFault("SequenceError", `${session.callnum} > ${n} (session ${session.id})`);
      // An expired session's callnum is not recorded; a live one's is, but not worth a state-file
      // write on every call: the next real change persists it.
      if (!session.expired) session.callnum = n;
    }
    // An expired session is not logged in; a login call may still renew it.
    if (session.expired) return { user: undefined, session };
    return { user: this.state.findUser(session.user_id), session };
  }

  /** auth.Session.login */
  login(name: string, password: XmlRpcValue, renew: StoredSession | undefined): StoredSession {
    if (typeof password !== "string" || password.length === 0) throw new HubFault("AuthError", "invalid username or password");
    const expected = this.passwords.get(name);
    const user = this.state.findUser(name);
    if (!user || expected === undefined || expected !== password) throw new HubFault("AuthError", "invalid username or password");
    return this.newSession(user, AUTHTYPES.NORMAL, renew);
  }

  /**
   * auth.Session.sslLogin for a GSSAPI principal (REMOTE_USER). Without one — the call did not
   * come through a verified /ssllogin — Koji falls back to TLS client certificates, which the
   * sandbox has none of.
   */
  sslLogin(remoteUser: string | undefined, proxyuser: XmlRpcValue, renew: StoredSession | undefined): StoredSession {
    if (!remoteUser) throw new HubFault("AuthError", "could not verify client: None");
    // ProxyPrincipals is empty: no principal may log in as another user.
    if (proxyuser !== null && proxyuser !== "" && proxyuser !== false) throw new HubFault("AuthError", `${remoteUser} is not authorized to login other users`);
    let user = remoteUser.includes("@") ? this.userFromKerberos(remoteUser) : this.state.findUser(remoteUser);
    if (!user) {
      if (!this.options.loginCreatesUser) throw new HubFault("AuthError", `Unknown user: ${remoteUser}`);
      user = this.createUserFromKerberos(remoteUser);
    }
    return this.newSession(user, AUTHTYPES.GSSAPI, renew);
  }

  /** mod_auth_gssapi's part: verify the client's SPNEGO token with the hub's keytab. */
  async negotiate(authorization: string | undefined, localHost: string): Promise<Negotiation> {
    const gssapi = this.options.gssapi;
    if (!gssapi) return { ok: false, reason: "this hub has no Kerberos keytab" };
    const m = /^Negotiate\s+(\S+)\s*$/i.exec(authorization ?? "");
    if (!m) return { ok: false, reason: authorization ? "the Authorization header is not `Negotiate <token>`" : "no Authorization header: Negotiate required" };
    const service = gssapi.service ?? `HTTP@${localHost}`;
    try {
      const ctx = await acceptSpnegoToken(service, gssapi.keytab, m[1]!);
      return { ok: true, principal: ctx.principal, response: ctx.response };
    } catch (err) {
      if (err instanceof GssapiError) return { ok: false, reason: `GSSAPI could not verify the token for ${service}: ${err.message}` };
      throw err;
    }
  }

  private newSession(user: StoredUser, authtype: number, renew: StoredSession | undefined): StoredSession {
    // auth.checkLoginAllowed: every sandbox user has status NORMAL.
    if (renew && renew.user_id === user.id) return this.state.renewSession(renew);
    return this.state.createSession(user, authtype);
  }

  /** auth.getUserIdFromKerberos */
  private userFromKerberos(principal: string): StoredUser | undefined {
    this.checkKrbPrincipal(principal);
    return this.state.findUserByKrbPrincipal(principal);
  }

  /** auth.createUserFromKerberos: the name is the principal up to "@"; an existing user gains the principal. */
  private createUserFromKerberos(principal: string): StoredUser {
    const at = principal.indexOf("@");
    if (at === -1) throw new HubFault("AuthError", `invalid Kerberos principal: ${principal}`);
    const name = principal.slice(0, at);
    const user = this.state.findUser(name) ?? this.state.ensureUser(name);
    this.state.addKrbPrincipal(user, principal);
    return user;
  }

  /** auth.checkKrbPrincipal */
  private checkKrbPrincipal(principal: string): void {
    const allowed = this.options.allowedKrbRealms;
    if (allowed === "*") return;
    const at = principal.indexOf("@");
    if (at === -1 || at === principal.length - 1) throw new HubFault("AuthError", `invalid Kerberos principal: ${principal}`);
    const realm = principal.slice(at + 1);
    if (!allowed.split(/\s*,\s*/).includes(realm)) throw new HubFault("AuthError", `Kerberos principal's realm: ${realm} is not allowed`);
  }
}
