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

export interface PrivateRabbitMqTls {
  /** the CA client certificates must be signed by */
  caCert: string;
  /** the broker's certificate and key */
  cert: string;
  key: string;
}

export interface PrivateRabbitMq {
  url: string;
  /** with `tls`: the TLS listener's port (verify_peer, fail_if_no_peer_cert, SASL EXTERNAL by CN) */
  tlsPort: number | undefined;
  /** rabbitmqctl against this node */
  ctl(args: string[]): Promise<string>;
  /** stops the node (its durable queues and persistent messages stay on disk) */
  stop(): Promise<void>;
  /** starts it again on the same port and data */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * `tls`: also listen for TLS on a port of its own, as Fedora's broker does: the client must present
 * a certificate signed by `caCert` (verify_peer, fail_if_no_peer_cert), and SASL EXTERNAL logs it
 * in as the user its CN names (rabbitmq_auth_mechanism_ssl, ssl_cert_login_from = common_name).
 * The plain listener keeps PLAIN for guest.
 */
export async function startPrivateRabbitMq(opts: { tls?: PrivateRabbitMqTls } = {}): Promise<PrivateRabbitMq> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-rabbitmq-"));
  const port = await freePort();
  const tlsPort = opts.tls ? await freePort() : undefined;
  const node = `rttest${randomBytes(3).toString("hex")}@localhost`;
  fs.writeFileSync(path.join(dir, "enabled_plugins"), opts.tls ? "[rabbitmq_auth_mechanism_ssl].\n" : "[].\n");
  // The machine's rabbitmq.conf names its own listener: this node gets a config of its own.
  const conf = [`listeners.tcp.1 = 127.0.0.1:${port}`];
  if (opts.tls) {
    conf.push(
      `listeners.ssl.1 = 127.0.0.1:${tlsPort}`,
      `ssl_options.cacertfile = ${opts.tls.caCert}`,
      `ssl_options.certfile = ${opts.tls.cert}`,
      `ssl_options.keyfile = ${opts.tls.key}`,
      "ssl_options.verify = verify_peer",
      "ssl_options.fail_if_no_peer_cert = true",
      "ssl_cert_login_from = common_name",
      "auth_mechanisms.1 = EXTERNAL",
      "auth_mechanisms.2 = PLAIN",
      "auth_mechanisms.3 = AMQPLAIN",
    );
  }
  fs.writeFileSync(path.join(dir, "rabbitmq.conf"), `${conf.join("\n")}\n`);
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
  const ports = [port, ...(tlsPort ? [tlsPort] : [])];
  const listening = async (up: boolean) => {
    for (let i = 0; i < 120; i++) {
      const open = await Promise.all(
        ports.map(
          (p) =>
            new Promise<boolean>((resolve) => {
              const socket = new net.Socket();
              socket.once("connect", () => (socket.destroy(), resolve(true)));
              socket.once("error", () => resolve(false));
              socket.connect(p, "127.0.0.1");
            }),
        ),
      );
      if (open.every((o) => o === up)) return;
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
    tlsPort,
    ctl: async (args) => (await run("rabbitmqctl", ["-n", node, ...args], { env })).stdout,
    start,
    stop,
    destroy: async () => {
      await stop().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
