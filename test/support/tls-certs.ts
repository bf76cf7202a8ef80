// Certificates for a TLS broker, made with the real openssl: a CA, a server certificate, client
// certificates whose CN is the RabbitMQ user they log in as (SASL EXTERNAL), and a second CA that
// signed none of them. Made fresh per call (RSA 2048 takes milliseconds); keys unencrypted.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface CertPair {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  /** the CA that signed the server and client certificates */
  ca: CertPair;
  /** a CA that signed nothing here */
  otherCa: CertPair;
  server: CertPair;
  /** client certificates by CN */
  clients: Record<string, CertPair>;
}

async function makeCa(dir: string, name: string, cn: string): Promise<CertPair> {
  const pair = { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
  await run("openssl", [
    "req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-sha256", "-days", "3",
    "-keyout", pair.key, "-out", pair.cert, "-subj", `/O=relengotron tests/CN=${cn}`,
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  return pair;
}

async function makeLeaf(dir: string, ca: CertPair, name: string, cn: string, extensions: string[]): Promise<CertPair> {
  const pair = { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(ext, ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment", ...extensions, ""].join("\n"));
  await run("openssl", ["req", "-new", "-nodes", "-newkey", "rsa:2048", "-sha256", "-keyout", pair.key, "-out", csr, "-subj", `/O=relengotron tests/CN=${cn}`]);
  await run("openssl", ["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-sha256", "-days", "3", "-out", pair.cert, "-extfile", ext]);
  return pair;
}

/**
 * `serverNames`: the server certificate's subjectAltNames (e.g. ["DNS:localhost"]); `clients`: the
 * CNs of the client certificates.
 */
export async function makeTestPki(dir: string, opts: { serverNames: string[]; clients: string[] }): Promise<TestPki> {
  fs.mkdirSync(dir, { recursive: true });
  const ca = await makeCa(dir, "ca", "relengotron test CA");
  const otherCa = await makeCa(dir, "other-ca", "some other CA");
  const server = await makeLeaf(dir, ca, "server", "relengotron test broker", [`subjectAltName=${opts.serverNames.join(",")}`, "extendedKeyUsage=serverAuth"]);
  const clients: Record<string, CertPair> = {};
  for (const cn of opts.clients) clients[cn] = await makeLeaf(dir, ca, `client-${cn}`, cn, ["extendedKeyUsage=clientAuth"]);
  // The broker runs as user rabbitmq and must read its key.
  for (const file of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, file), 0o644);
  fs.chmodSync(dir, 0o755);
  return { dir, ca, otherCa, server, clients };
}
