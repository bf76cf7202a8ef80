// Which failures are worth waiting out (the broker, Temporal or PostgreSQL briefly unreachable) and
// which are the message's own fault (it would fail the same way forever: set it aside).
import { ServiceError } from "@temporalio/client";
import { Prisma } from "../generated/prisma/client.js";

/** gRPC codes of a server that is busy, restarting or unreachable */
const TRANSIENT_GRPC = new Set([1, 4, 8, 10, 13, 14]);
/** Prisma: cannot reach / timed out / connection closed / pool timeout / write conflict */
const TRANSIENT_PRISMA = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2034"]);
const TRANSIENT_TEXT = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|connection is closed|socket hang up|Can't reach database/i;

export function isTransient(error: unknown): boolean {
  if (error instanceof ServiceError) {
    const code = (error.cause as { code?: unknown } | undefined)?.code;
    return typeof code !== "number" || TRANSIENT_GRPC.has(code);
  }
  if (error instanceof Prisma.PrismaClientKnownRequestError) return TRANSIENT_PRISMA.has(error.code);
  if (error instanceof Prisma.PrismaClientInitializationError || error instanceof Prisma.PrismaClientRustPanicError) return true;
  if (error instanceof Error) return TRANSIENT_TEXT.test(error.message) || (error.cause !== undefined && isTransient(error.cause));
  return false;
}
