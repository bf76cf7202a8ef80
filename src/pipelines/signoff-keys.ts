// The key pair behind sign-off assertions (domain/signoff-assertion.ts). The API alone holds the
// private key and signs; whoever starts a pipeline hands it the public key, so the pipeline can
// tell a sign-off relengotron authenticated from an Update sent straight to Temporal. A data folder
// gets a pair on first use (the private key readable only by its owner); a deployment provides
// both files (see README, Security).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { SignoffAssertion } from "../domain/signoff-assertion.js";

export interface SignoffKeyFiles {
  privateKey: string;
  publicKey: string;
}

export function signoffKeyFiles(cfg: { dataDir: string }): SignoffKeyFiles {
  return { privateKey: path.join(cfg.dataDir, "signoff-key.pem"), publicKey: path.join(cfg.dataDir, "signoff-key.pub.pem") };
}

/** Creates the pair when neither file exists; derives a missing public key from the private one. */
function ensureKeys(files: SignoffKeyFiles): void {
  if (fs.existsSync(files.publicKey)) return;
  if (!fs.existsSync(files.privateKey)) {
    const { privateKey } = crypto.generateKeyPairSync("ed25519");
    fs.mkdirSync(path.dirname(files.privateKey), { recursive: true });
    // Written whole, then linked into place: two processes starting at once never see half a key
    // nor overwrite each other's.
    const temp = `${files.privateKey}.${process.pid}.tmp`;
    fs.writeFileSync(temp, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    try {
      fs.linkSync(temp, files.privateKey);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      fs.rmSync(temp, { force: true });
    }
  }
  const publicKey = crypto.createPublicKey(fs.readFileSync(files.privateKey)).export({ type: "spki", format: "pem" });
  const temp = `${files.publicKey}.${process.pid}.tmp`;
  fs.writeFileSync(temp, publicKey, { mode: 0o644 });
  fs.renameSync(temp, files.publicKey);
}

/** The public key (PEM) a pipeline verifies its sign-off with. */
export function signoffPublicKey(files: SignoffKeyFiles): string {
  ensureKeys(files);
  return fs.readFileSync(files.publicKey, "utf8");
}

const privateKeys = new Map<string, crypto.KeyObject>();

/** Signs an assertion payload with the API's private key. */
export function signAssertion(files: SignoffKeyFiles, payload: string): SignoffAssertion {
  let key = privateKeys.get(files.privateKey);
  if (!key) {
    ensureKeys(files);
    key = crypto.createPrivateKey(fs.readFileSync(files.privateKey));
    privateKeys.set(files.privateKey, key);
  }
  return { payload, signature: crypto.sign(null, Buffer.from(payload, "utf8"), key).toString("base64") };
}

/** The Ed25519 check, as the pipeline's verifying activity makes it. */
export function assertionSignatureValid(publicKeyPem: string, assertion: SignoffAssertion): boolean {
  try {
    return crypto.verify(null, Buffer.from(assertion.payload, "utf8"), crypto.createPublicKey(publicKeyPem), Buffer.from(assertion.signature, "base64"));
  } catch {
    return false;
  }
}
