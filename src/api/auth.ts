// Bearer tokens for the API. The tokens file holds only SHA-256 hashes of tokens, one per line:
//   <sha256 hex> <user> <role,role>
// so a leaked file does not leak a token. Roles keep privilege least: `signoff` may approve or
// reject publication, `trigger` may start pipelines.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { IncomingMessage } from "node:http";
import { HttpError } from "./http.js";

export const ROLES = ["signoff", "trigger"] as const;
export type Role = (typeof ROLES)[number];

export interface Identity {
  user: string;
  roles: Role[];
}

interface TokenEntry extends Identity {
  hash: Buffer;
}

export class TokenFileError extends Error {
  override name = "TokenFileError";
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function readTokens(file: string): TokenEntry[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line && !line.startsWith("#"))
    .map(([line, lineNo]) => {
      const [hash, user, roles = ""] = line.split(/\s+/);
      if (!hash || !/^[0-9a-f]{64}$/.test(hash) || !user) {
        throw new TokenFileError(`${file}:${lineNo}: expected "<sha256 hex> <user> <roles>"`);
      }
      const parsed = roles.split(",").filter(Boolean);
      const unknown = parsed.filter((r) => !(ROLES as readonly string[]).includes(r));
      if (unknown.length) throw new TokenFileError(`${file}:${lineNo}: unknown role ${unknown.join(", ")} (known: ${ROLES.join(", ")})`);
      return { hash: Buffer.from(hash, "hex"), user, roles: parsed as Role[] };
    });
}

/** Creates a token for `user`, records its hash, and returns the token (shown once, never stored). */
export function createToken(file: string, user: string, roles: Role[]): string {
  if (!/^[A-Za-z0-9._@-]+$/.test(user)) throw new TokenFileError(`user name ${JSON.stringify(user)}: use letters, digits and . _ @ -`);
  const token = `rgt_${randomBytes(24).toString("base64url")}`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, `${hashToken(token)} ${user} ${roles.join(",")}\n`, { mode: 0o600 });
  return token;
}

export class Authenticator {
  constructor(private readonly file: string) {}

  /** The caller's identity; 401 without a valid token. */
  authenticate(req: IncomingMessage): Identity {
    const header = req.headers.authorization ?? "";
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new HttpError(401, "authentication required: send Authorization: Bearer <token>");
    const presented = Buffer.from(hashToken(m[1]!), "hex");
    // Re-read on each request so `relengotron token create` takes effect without a restart.
    const entry = readTokens(this.file).find((t) => timingSafeEqual(t.hash, presented));
    if (!entry) throw new HttpError(401, "invalid token");
    return { user: entry.user, roles: entry.roles };
  }

  /** 403 unless the identity holds the role. */
  authorize(identity: Identity, role: Role): void {
    if (!identity.roles.includes(role)) throw new HttpError(403, `user ${identity.user} lacks the ${role} role`);
  }
}
