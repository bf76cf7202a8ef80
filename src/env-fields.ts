// zod fields for environment variables, with messages that say what a good value looks like.
// Shared by src/config.ts and the bus's part of it (src/bus/config.ts).
import { z } from "zod";

export const portField = z.coerce
  .number({ error: "expected a port number" })
  .int("expected an integer port")
  .min(1, "expected a port from 1 to 65535")
  .max(65535, "expected a port from 1 to 65535");

export const secondsField = z.coerce.number({ error: "expected a number of seconds" }).positive("expected a positive number of seconds");

export const urlField = (protocols: string[]) =>
  z.string().refine((value) => {
    try {
      return protocols.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, `expected a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`);
