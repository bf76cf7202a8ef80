// The bus's settings, as zod fields for the project's config schema (src/config.ts spreads
// `busConfigShape` into `configSchema`), and the defaults they stand for.
import { z } from "zod";
import { secondsField as seconds, urlField } from "../env-fields.js";


export const busConfigShape = {
  /** RabbitMQ carrying fedora-messaging; unset: the sandbox's in-process bus */
  AMQP_URL: urlField(["amqp:", "amqps:"]).optional(),
  /**
   * TLS for an amqps:// AMQP_URL, as fedora-messaging's [tls] section (ca_cert, certfile, keyfile):
   * the CA bundle the broker's certificate is verified against (unset: the system's CAs), and the
   * client certificate and its key. With a client certificate and no password in the URL the
   * login is SASL EXTERNAL. The files are checked when the bus starts (src/bus/tls.ts).
   */
  AMQP_CA_CERT: z.string().min(1).optional(),
  AMQP_CERT: z.string().min(1).optional(),
  AMQP_KEY: z.string().min(1).optional(),
  /**
   * the durable queue the consumer binds; "uuid": a UUID made on first start and kept in
   * <data>/amqp-queue, fedora-messaging's convention for Fedora's broker (queue names there are
   * UUIDs, one per consumer, never shared)
   */
  RELENGOTRON_AMQP_QUEUE: z.string().min(1).default("relengotron"),
  RELENGOTRON_AMQP_PREFETCH: z.coerce.number().int().min(1).max(65535).default(200),
  /**
   * the environment prefix of topics (fedora-messaging's topic_prefix), e.g. org.fedoraproject.prod:
   * the consumer binds only that environment's topics and the sandbox publishes under it; empty:
   * any environment is consumed and the sandbox publishes bare topics
   */
  RELENGOTRON_TOPIC_PREFIX: z.string().default(""),
  /** a release's trigger starts a pipeline once the bus was quiet this long … */
  RELENGOTRON_TRIGGER_QUIET_SECONDS: seconds.default(300),
  /** … or this long after the first change of a burst, whichever comes first */
  RELENGOTRON_TRIGGER_MAX_WAIT_SECONDS: seconds.default(3600),
  /** cron of the nightly safety-net pipeline of every release (UTC); "off" creates no schedule */
  RELENGOTRON_NIGHTLY_CRON: z
    .string()
    .refine((v) => v === "off" || v.trim().split(/\s+/).length === 5 || v.startsWith("@"), "expected a 5-field cron expression, @daily … or off")
    .default("0 3 * * *"),
};

/** Checks across the bus's variables; config.ts's superRefine reports them under the variable named. */
export function busConfigProblems(c: { AMQP_URL?: string | undefined; AMQP_CA_CERT?: string | undefined; AMQP_CERT?: string | undefined; AMQP_KEY?: string | undefined }, problem: (name: string, message: string) => void): void {
  if (c.AMQP_CERT !== undefined && c.AMQP_KEY === undefined) problem("AMQP_KEY", "required with AMQP_CERT (the client certificate's private key)");
  if (c.AMQP_KEY !== undefined && c.AMQP_CERT === undefined) problem("AMQP_CERT", "required with AMQP_KEY (the client certificate)");
  for (const name of ["AMQP_CA_CERT", "AMQP_CERT", "AMQP_KEY"] as const) {
    if (c[name] === undefined) continue;
    if (c.AMQP_URL === undefined) problem(name, "TLS settings need an amqps:// AMQP_URL (AMQP_URL is unset)");
    else if (!c.AMQP_URL.startsWith("amqps:")) problem(name, "TLS settings need an amqps:// AMQP_URL (AMQP_URL is amqp://, a connection in the clear)");
  }
}

export const busConfigSchema = z.object(busConfigShape).superRefine((c, ctx) => busConfigProblems(c, (name, message) => ctx.addIssue({ code: "custom", path: [name], message })));
export type BusConfig = z.infer<typeof busConfigSchema>;
