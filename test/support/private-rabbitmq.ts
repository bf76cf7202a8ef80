// A RabbitMQ node of the test's own (the Debian rabbitmq-server, on a free port, its data in a temp
// folder), so a test can stop and restart a real broker without touching the machine's.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../src/net/free-port.js";

const run = promisify(execFile);

export interface PrivateRabbitMq {
  url: string;
  /** stops the node (its durable queues and persistent messages stay on disk) */
  stop(): Promise<void>;
  /** starts it again on the same port and data */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startPrivateRabbitMq(): Promise<PrivateRabbitMq> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-rabbitmq-"));
  const port = await freePort();
  const node = `rttest${randomBytes(3).toString("hex")}@localhost`;
  fs.writeFileSync(path.join(dir, "enabled_plugins"), "[].\n");
  // The machine's rabbitmq.conf names its own listener: this node gets a config of its own.
  fs.writeFileSync(path.join(dir, "rabbitmq.conf"), `listeners.tcp.1 = 127.0.0.1:${port}\n`);
  fs.chmodSync(dir, 0o755);
  // The Debian wrapper runs the server as user rabbitmq.
  await run("chown", ["-R", "rabbitmq:rabbitmq", dir]).catch(() => {});
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: node,
    RABBITMQ_DIST_PORT: String(await freePort()),
    RABBITMQ_MNESIA_BASE: path.join(dir, "mnesia"),
    RABBITMQ_LOG_BASE: path.join(dir, "log"),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, "enabled_plugins"),
    RABBITMQ_CONFIG_FILE: path.join(dir, "rabbitmq.conf"),
  };
  const listening = async (up: boolean) => {
    for (let i = 0; i < 120; i++) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = new net.Socket();
        socket.once("connect", () => (socket.destroy(), resolve(true)));
        socket.once("error", () => resolve(false));
        socket.connect(port, "127.0.0.1");
      });
      if (open === up) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`private RabbitMQ ${node} did not ${up ? "start" : "stop"} (logs in ${path.join(dir, "log")})`);
  };
  const start = async () => {
    await run("rabbitmq-server", ["-detached"], { env });
    await listening(true);
  };
  const stop = async () => {
    await run("rabbitmqctl", ["-n", node, "stop"], { env });
    await listening(false);
  };
  await start();
  return {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    start,
    stop,
    destroy: async () => {
      await stop().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
