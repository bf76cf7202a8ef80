// A sign-off carries proof that relengotron's API authenticated it: an assertion the API signs
// (Ed25519) naming the pipeline, the decision, who made it and a digest of the comment, valid for a
// few minutes. The pipeline received the API's public key in its input and accepts a sign-off only
// with an assertion that verifies and matches — an Update sent straight to Temporal with any actor
// is refused. Pure: signing and verifying the bytes happen in src/api/ and src/activities/.
import { z } from "zod";
import { canonicalJson, sha256Hex } from "./sha256.js";

/** How long an assertion is good for: a sign-off is delivered at once, so minutes are plenty. */
export const ASSERTION_LIFETIME_SECONDS = 300;

export const assertionPayloadSchema = z.strictObject({
  v: z.literal(1),
  pipelineId: z.string().min(1),
  decision: z.enum(["approve", "reject"]),
  actor: z.string().min(1),
  commentSha256: z.string().regex(/^[0-9a-f]{64}$/),
  remoteAddr: z.string().nullable(),
  issuedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});
export type AssertionPayload = z.infer<typeof assertionPayloadSchema>;

/** What travels with the Update: the exact bytes signed (as text) and the signature. */
export const signoffAssertionSchema = z.strictObject({
  payload: z.string().min(1).max(4096),
  signature: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).max(200),
});
export type SignoffAssertion = z.infer<typeof signoffAssertionSchema>;

export function assertionPayload(input: {
  pipelineId: string;
  decision: "approve" | "reject";
  actor: string;
  comment: string;
  remoteAddr?: string;
  now: Date;
}): string {
  const payload: AssertionPayload = {
    v: 1,
    pipelineId: input.pipelineId,
    decision: input.decision,
    actor: input.actor,
    commentSha256: sha256Hex(input.comment),
    remoteAddr: input.remoteAddr ?? null,
    issuedAt: input.now.toISOString(),
    expiresAt: new Date(input.now.getTime() + ASSERTION_LIFETIME_SECONDS * 1000).toISOString(),
  };
  return canonicalJson(payload);
}

/**
 * Why an assertion whose signature was checked does not authorise this sign-off, or undefined
 * when it does. `signatureValid` is the verdict of the Ed25519 check over `assertion.payload`.
 */
export function assertionRefusal(input: {
  pipelineId: string;
  update: { decision: string; actor: string; comment: string };
  assertion: SignoffAssertion | undefined;
  signatureValid: boolean;
  now: Date;
}): string | undefined {
  if (!input.assertion) return "sign-off carries no assertion from relengotron's API";
  if (!input.signatureValid) return "sign-off assertion's signature does not verify against the pipeline's key";
  let json: unknown;
  try {
    json = JSON.parse(input.assertion.payload);
  } catch {
    return "sign-off assertion's payload is not JSON";
  }
  const parsed = assertionPayloadSchema.safeParse(json);
  if (!parsed.success) return `sign-off assertion's payload is malformed: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
  const p = parsed.data;
  if (p.pipelineId !== input.pipelineId) return `sign-off assertion is for another pipeline (${p.pipelineId})`;
  if (p.actor !== input.update.actor) return `sign-off assertion names ${p.actor}, not ${input.update.actor}`;
  if (p.decision !== input.update.decision) return `sign-off assertion is for "${p.decision}", not "${input.update.decision}"`;
  if (p.commentSha256 !== sha256Hex(input.update.comment)) return "sign-off assertion was made for another comment";
  if (Date.parse(p.expiresAt) <= input.now.getTime()) return `sign-off assertion expired at ${p.expiresAt}`;
  if (Date.parse(p.issuedAt) > input.now.getTime() + 60_000) return `sign-off assertion is issued in the future (${p.issuedAt})`;
  return undefined;
}
