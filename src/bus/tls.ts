// TLS to the broker, as fedora-messaging connects to Fedora's (fedora_messaging/twisted/service.py,
// _configure_tls_parameters and _ssl_context_factory): its [tls] section's ca_cert, certfile and
// keyfile are AMQP_CA_CERT, AMQP_CERT and AMQP_KEY here. The server's certificate is verified
// against the CA file (the system's CAs without one) and its name against the URL's host, TLS 1.2
// at least; with a client certificate the login is SASL EXTERNAL (the broker takes the user from
// the certificate), unless the URL carries a password. The files are read and checked once, at
// start, and every error names the variable.
import crypto from "node:crypto";
import fs from "node:fs";
import amqp from "amqplib";
import type { BusConfig } from "./config.js";
import { ConfigError } from "../config.js";

/** The files' contents, checked. */
export interface AmqpTlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

type TlsVars = Pick<BusConfig, "AMQP_CA_CERT" | "AMQP_CERT" | "AMQP_KEY">;

/** Reads and checks the TLS files the configuration names; undefined when it names none. */
export function loadAmqpTls(cfg: TlsVars): AmqpTlsFiles | undefined {
  if (!cfg.AMQP_CA_CERT && !cfg.AMQP_CERT && !cfg.AMQP_KEY) return undefined;
  const problems: string[] = [];
  const read = (name: keyof TlsVars, check: (pem: Buffer) => string | undefined): Buffer | undefined => {
    const file = cfg[name];
    if (!file) return undefined;
    let pem: Buffer;
    try {
      pem = fs.readFileSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "not readable (permission denied)" : code === "EISDIR" ? "a directory, not a file" : (error as Error).message;
      problems.push(`${name}: ${why}: ${file}`);
      return undefined;
    }
    const wrong = check(pem);
    if (wrong) {
      problems.push(`${name}: ${wrong}: ${file}`);
      return undefined;
    }
    return pem;
  };
  const ca = read("AMQP_CA_CERT", (pem) => certificatesProblem(pem));
  const cert = read("AMQP_CERT", (pem) => certificatesProblem(pem));
  const key = read("AMQP_KEY", (pem) => {
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem.toString("latin1"))) return "not a PEM private key (no -----BEGIN … PRIVATE KEY----- block)";
    try {
      crypto.createPrivateKey(pem);
      return undefined;
    } catch (error) {
      return `not a usable PEM private key (${(error as Error).message}; an encrypted key is not supported)`;
    }
  });
  if (cert && key) {
    const certificate = new crypto.X509Certificate(cert);
    if (!certificate.checkPrivateKey(crypto.createPrivateKey(key))) problems.push(`AMQP_KEY: not the private key of the certificate in AMQP_CERT (${certificate.subject.replace(/\n/g, ", ")}): ${cfg.AMQP_KEY}`);
  }
  if (problems.length) throw new ConfigError(problems);
  return { ca, cert, key };
}

/** Every PEM certificate in the file must parse, and there must be one. */
function certificatesProblem(pem: Buffer): string | undefined {
  const blocks = pem.toString("latin1").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return "not a PEM certificate file (no -----BEGIN CERTIFICATE----- block)";
  for (const [i, block] of blocks.entries()) {
    try {
      new crypto.X509Certificate(block);
    } catch (error) {
      return `certificate ${i + 1} of ${blocks.length} does not parse (${(error as Error).message})`;
    }
  }
  return undefined;
}

/** amqplib's socket options for a URL: TLS material, SASL EXTERNAL where fedora-messaging uses it. */
export function amqpSocketOptions(url: string, tls: AmqpTlsFiles | undefined, connectionName: string): Record<string, unknown> {
  const options: Record<string, unknown> = { clientProperties: { connection_name: connectionName } };
  if (!url.startsWith("amqps:") || !tls) return options;
  // rejectUnauthorized is Node's default; amqplib passes the URL's host as servername (a DNS name)
  // or Node checks it against the certificate's IP addresses.
  Object.assign(options, { minVersion: "TLSv1.2", rejectUnauthorized: true });
  if (tls.ca) options.ca = tls.ca;
  if (tls.cert && tls.key) {
    options.cert = tls.cert;
    options.key = tls.key;
    if (!new URL(url).password) options.credentials = amqp.credentials.external();
  }
  return options;
}

const TLS_HINTS: Record<string, string> = {
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the broker's certificate is not signed by a CA in AMQP_CA_CERT (or the system's CAs without it)",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the broker's certificate is not signed by a CA in AMQP_CA_CERT (or the system's CAs without it)",
  SELF_SIGNED_CERT_IN_CHAIN: "the broker's certificate chain ends in a CA that AMQP_CA_CERT (or the system's CAs without it) does not hold",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the broker's certificate is self-signed and not in AMQP_CA_CERT",
  CERT_HAS_EXPIRED: "the broker's certificate has expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "the broker's certificate is not for the host in AMQP_URL",
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: "the broker requires a client certificate: set AMQP_CERT and AMQP_KEY",
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: "the broker refused the TLS handshake (does it require a client certificate? set AMQP_CERT and AMQP_KEY)",
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: "the broker refused the client certificate in AMQP_CERT",
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: "the broker does not trust the CA that signed AMQP_CERT",
};

/** A connection error with what it means for the TLS settings, where the code says. */
export function explainAmqpError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const message = e?.message ?? String(error);
  const hint = (e?.code && TLS_HINTS[e.code]) || (/ACCESS_REFUSED|EXTERNAL/.test(message) ? "the broker refused the login (with a client certificate: is its CN a user with permissions on the vhost?)" : undefined);
  return hint ? `${hint} (${message})` : message;
}
