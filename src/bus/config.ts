// The bus's settings, as zod fields for the project's config schema (src/config.ts spreads
// `busConfigShape` into `configSchema`), and the defaults they stand for.
import { z } from "zod";
import { secondsField as seconds, urlField } from "../env-fields.js";


export const busConfigShape = {
  /** RabbitMQ carrying fedora-messaging; unset: the sandbox's in-process bus */
  AMQP_URL: urlField(["amqp:", "amqps:"]).optional(),
  RELENGOTRON_AMQP_QUEUE: z.string().min(1).default("relengotron"),
  RELENGOTRON_AMQP_DEAD_LETTER_QUEUE: z.string().min(1).default("relengotron.dead-letter"),
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

export const busConfigSchema = z.object(busConfigShape);
export type BusConfig = z.infer<typeof busConfigSchema>;
