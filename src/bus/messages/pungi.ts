// Pungi's compose messages. Pungi publishes them with fedora-messaging's base Message class (no
// schema package exists), from its notification script: the body below is what it sends.
import { z } from "zod";

export const COMPOSE_STATUSES = ["STARTED", "FINISHED", "FINISHED_INCOMPLETE", "DOOMED", "TERMINATED"] as const;

/** pungi.compose.status.change */
export const pungiStatusBodySchema = z.looseObject({
  compose_id: z.string().min(1),
  /** the compose's top directory (a path on the compose host, or its URL) */
  location: z.string().min(1),
  status: z.enum(COMPOSE_STATUSES),
});
export type PungiStatusBody = z.infer<typeof pungiStatusBodySchema>;
