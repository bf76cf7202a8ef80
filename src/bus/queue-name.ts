// The consumer's queue name. fedora-messaging's configuration for Fedora's broker (configs/fedora.toml,
// docs/user-guide/quick-start.rst) says queue names there *must* be UUIDs, one per consumer and never
// shared (consumers of one queue share its messages round-robin). RELENGOTRON_AMQP_QUEUE=uuid makes
// one on first start and keeps it in the data folder, so a restarted consumer finds its durable
// queue and the messages that arrived meanwhile; any other value is the queue's name.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export const UUID_QUEUE = "uuid";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(name: string): boolean {
  return UUID.test(name);
}

/** The queue for a RELENGOTRON_AMQP_QUEUE value; "uuid" needs the data folder it is kept in. */
export function resolveQueueName(value: string, dataDir: string | undefined): string {
  if (value !== UUID_QUEUE) return value;
  if (!dataDir) throw new Error("RELENGOTRON_AMQP_QUEUE: uuid keeps the queue's name in the data folder, and none was given");
  const file = path.join(dataDir, "amqp-queue");
  try {
    const kept = fs.readFileSync(file, "utf8").trim();
    if (isUuid(kept)) return kept;
    throw new Error(`RELENGOTRON_AMQP_QUEUE: ${file} should hold the queue's UUID, it holds ${JSON.stringify(kept.slice(0, 80))}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const name = randomUUID();
  // wx: two consumers starting at once must not end up with two queues
  try {
    fs.writeFileSync(file, `${name}\n`, { flag: "wx", mode: 0o644 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return resolveQueueName(value, dataDir);
    throw error;
  }
  return name;
}
