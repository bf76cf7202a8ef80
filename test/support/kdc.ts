// A real MIT Kerberos KDC on loopback for tests (Debian krb5-kdc, krb5-admin-server, krb5-user):
// a realm of the test's own in a temp folder, made with kdb5_util and filled with kadmin.local,
// served by krb5kdc on a free port. Clients find it through a private krb5.conf (KRB5_CONFIG), the
// KDC its database through a private kdc.conf (KRB5_KDC_PROFILE); the machine's own Kerberos
// files are never read or written.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../src/net/free-port.js";

const run = promisify(execFile);

export interface Kdc {
  realm: string;
  port: number;
  dir: string;
  /** The private krb5.conf: set KRB5_CONFIG to it in every process that speaks Kerberos. */
  krb5Config: string;
  /** Environment for child processes (KRB5_CONFIG, plus KRB5CCNAME when given). */
  env(extra?: { ccache?: string }): NodeJS.ProcessEnv;
  /** `name@REALM` for a bare name; a name with a realm is kept. */
  principal(name: string): string;
  /** Adds a principal with a random key (kadmin.local addprinc -randkey). */
  addPrincipal(name: string): Promise<string>;
  /**
   * Writes a keytab with the principal's keys. Exporting picks new random keys (kadmin's ktadd),
   * so a keytab exported earlier for the same principal becomes stale: the KDC no longer
   * accepts it, and a service holding it can no longer decrypt new tickets.
   */
  exportKeytab(name: string, file?: string): Promise<string>;
  /** `kinit -k -t keytab principal` into `ccache`; `lifetime` as kinit's -l (e.g. "5s"). */
  kinit(name: string, keytab: string, ccache: string, options?: { lifetime?: string }): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_REALM = "RELENGOTRON.TEST";

/** Tells what of Debian's Kerberos packages is missing, or undefined when all is there. */
export function missingKerberosTools(): string | undefined {
  const need = ["kdb5_util", "kadmin.local", "krb5kdc", "kinit", "klist"];
  const dirs = (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/sbin"]);
  const missing = need.filter((bin) => !dirs.some((d) => fs.existsSync(path.join(d, bin))));
  return missing.length ? `missing ${missing.join(", ")}: apt-get install krb5-kdc krb5-admin-server krb5-user (./run test installs them)` : undefined;
}

function sbin(name: string): string {
  for (const d of ["/usr/sbin", "/sbin", ...(process.env.PATH ?? "").split(":")]) {
    const p = path.join(d, name);
    if (fs.existsSync(p)) return p;
  }
  return name;
}

export async function startKdc(options: { realm?: string; clockskewSeconds?: number } = {}): Promise<Kdc> {
  const problem = missingKerberosTools();
  if (problem) throw new Error(problem);
  const realm = options.realm ?? TEST_REALM;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-kdc-"));
  const port = await freePort();
  const krb5Config = path.join(dir, "krb5.conf");
  const kdcProfile = path.join(dir, "kdc.conf");
  // clockskew small: a ticket a few seconds past its end is expired, not "within the skew".
  const skew = options.clockskewSeconds ?? 1;
  fs.writeFileSync(
    krb5Config,
    [
      "[libdefaults]",
      `  default_realm = ${realm}`,
      "  dns_lookup_kdc = false",
      "  dns_lookup_realm = false",
      // service principals are named by the literal host of the URL (HTTP/127.0.0.1@REALM)
      "  dns_canonicalize_hostname = false",
      "  rdns = false",
      "  udp_preference_limit = 1",
      `  clockskew = ${skew}`,
      `  default_ccache_name = FILE:${path.join(dir, "ccache-default")}`,
      `  default_keytab_name = FILE:${path.join(dir, "no-default.keytab")}`,
      `  default_client_keytab_name = FILE:${path.join(dir, "no-default-client.keytab")}`,
      "[realms]",
      `  ${realm} = {`,
      `    kdc = 127.0.0.1:${port}`,
      "  }",
      "[domain_realm]",
      `  127.0.0.1 = ${realm}`,
      "",
    ].join("\n"),
  );
  fs.writeFileSync(
    kdcProfile,
    [
      "[kdcdefaults]",
      `  kdc_ports = ${port}`,
      `  kdc_tcp_ports = ${port}`,
      "[realms]",
      `  ${realm} = {`,
      `    database_name = ${path.join(dir, "principal")}`,
      `    key_stash_file = ${path.join(dir, "stash")}`,
      `    acl_file = ${path.join(dir, "kadm5.acl")}`,
      "    max_life = 10h",
      "    max_renewable_life = 0",
      "    supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal",
      "  }",
      "[logging]",
      `  kdc = FILE:${path.join(dir, "kdc.log")}`,
      "",
    ].join("\n"),
  );
  fs.writeFileSync(path.join(dir, "kadm5.acl"), "");
  const env = (extra: { ccache?: string } = {}): NodeJS.ProcessEnv => ({
    ...process.env,
    KRB5_CONFIG: krb5Config,
    KRB5_KDC_PROFILE: kdcProfile,
    ...(extra.ccache ? { KRB5CCNAME: extra.ccache } : {}),
  });
  const tool = async (bin: string, args: string[], extra: { ccache?: string } = {}): Promise<string> => {
    try {
      const { stdout } = await run(sbin(bin), args, { env: env(extra), timeout: 30_000 });
      return stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`${bin} ${args.join(" ")} failed: ${(e.stderr ?? "").trim() || e.message}`);
    }
  };
  const kadmin = (query: string) => tool("kadmin.local", ["-r", realm, "-q", query]);
  const principal = (name: string) => (name.includes("@") ? name : `${name}@${realm}`);

  await tool("kdb5_util", ["create", "-s", "-r", realm, "-P", `master-${path.basename(dir)}`]);

  let child: ChildProcess | undefined = spawn(sbin("krb5kdc"), ["-n", "-r", realm], { env: env(), stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child!.once("exit", () => resolve()));
  await waitForPort(port, () => (child?.exitCode !== null ? `krb5kdc exited: ${stderr.trim()} (log ${path.join(dir, "kdc.log")})` : undefined));

  const kdc: Kdc = {
    realm,
    port,
    dir,
    krb5Config,
    env,
    principal,
    async addPrincipal(name) {
      const p = principal(name);
      await kadmin(`addprinc -randkey ${p}`);
      return p;
    },
    async exportKeytab(name, file) {
      const p = principal(name);
      const target = file ?? path.join(dir, `${p.replace(/[^A-Za-z0-9.]+/g, "_")}-${Date.now()}.keytab`);
      await kadmin(`ktadd -k ${target} ${p}`);
      return target;
    },
    async kinit(name, keytab, ccache, opts = {}) {
      await tool("kinit", [...(opts.lifetime ? ["-l", opts.lifetime] : []), "-k", "-t", keytab, principal(name)], { ccache });
    },
    async stop() {
      const c = child;
      child = undefined;
      if (c && c.exitCode === null) {
        c.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return kdc;
}

async function waitForPort(port: number, failed: () => string | undefined): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const why = failed();
    if (why) throw new Error(why);
    const open = await new Promise<boolean>((resolve) => {
      const socket = new net.Socket();
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
      socket.connect(port, "127.0.0.1");
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`krb5kdc did not listen on 127.0.0.1:${port}`);
}
