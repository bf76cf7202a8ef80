// Fedora's broker over TLS: a private RabbitMQ node with a TLS listener that wants a client
// certificate signed by its CA (verify_peer, fail_if_no_peer_cert) and logs clients in with SASL
// EXTERNAL as the user their certificate's CN names, certificates made with the real openssl, and
// messages published over TLS by the real Python fedora-messaging library with a [tls] section.
// The consumer is the real one with the real processor (validation, routing); the actions it asks
// for are recorded instead of signalled (bus-consumer.test.ts runs them against Temporal).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Client } from "@temporalio/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AmqpBusConsumer } from "../../src/bus/consumer.js";
import { bindingsFor } from "../../src/bus/messages/index.js";
import { BusProcessor } from "../../src/bus/processor.js";
import { AmqpBusPublisher } from "../../src/bus/publisher.js";
import { isUuid, resolveQueueName } from "../../src/bus/queue-name.js";
import type { BusAction } from "../../src/bus/router.js";
import { startBus } from "../../src/bus/service.js";
import { loadAmqpTls, type AmqpTlsFiles } from "../../src/bus/tls.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import type { Db } from "../../src/db/database.js";
import type { ReleaseCatalog } from "../../src/releases/catalog.js";
import { publishWithPython, tagSpec, testTopicPrefix, writeFedoraMessagingConf } from "../support/bus-env.js";
import { eventually } from "../support/pipeline-env.js";
import { startPrivateRabbitMq, type PrivateRabbitMq } from "../support/private-rabbitmq.js";
import { makeTestPki, type TestPki } from "../support/tls-certs.js";

const CONSUMER_USER = "relengotron-consumer";
const PUBLISHER_USER = "fedora-publisher";
/** a certificate the CA signed for a CN the broker has no user for */
const STRANGER = "nobody-we-know";

describe("bus over TLS with client certificates (Fedora's broker)", () => {
  let dir: string;
  let pki: TestPki;
  let rabbit: PrivateRabbitMq;
  /** the server certificate names only localhost: 127.0.0.1 is the wrong host */
  let url: string;
  const prefix = testTopicPrefix();
  const consumers: AmqpBusConsumer[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "rt-bus-tls-"));
    // the broker runs as user rabbitmq and reads its certificate and key from here
    fs.chmodSync(dir, 0o755);
    pki = await makeTestPki(path.join(dir, "pki"), { serverNames: ["DNS:localhost"], clients: [CONSUMER_USER, PUBLISHER_USER, STRANGER] });
    rabbit = await startPrivateRabbitMq({ tls: { caCert: pki.ca.cert, cert: pki.server.cert, key: pki.server.key } });
    for (const user of [CONSUMER_USER, PUBLISHER_USER]) {
      // EXTERNAL never looks at the password; the user must exist and have permissions.
      await rabbit.ctl(["add_user", user, randomBytes(12).toString("hex")]);
      await rabbit.ctl(["set_permissions", "-p", "/", user, ".*", ".*", ".*"]);
    }
    url = `amqps://localhost:${rabbit.tlsPort}`;
  }, 180_000);

  afterAll(async () => {
    for (const c of consumers) await c.stop().catch(() => {});
    await rabbit?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** TLS settings through the real configuration and file checks, as the bus service reads them. */
  const tlsOf = (env: { AMQP_URL: string; AMQP_CA_CERT?: string; AMQP_CERT?: string; AMQP_KEY?: string }): AmqpTlsFiles | undefined => loadAmqpTls(loadConfig(env));

  const consumer = (opts: { url: string; tls: AmqpTlsFiles | undefined; queue: string }) => {
    const actions: BusAction[] = [];
    const logs: string[] = [];
    const c = new AmqpBusConsumer({
      url: opts.url,
      tls: opts.tls,
      queue: opts.queue,
      bindings: bindingsFor(prefix),
      connectionName: `relengotron-tls-test-${randomBytes(3).toString("hex")}`,
      reconnect: { initialMs: 100, maxMs: 1000 },
      log: (line) => void logs.push(line),
      processor: new BusProcessor({
        context: { releasesOfTag: (tag) => (tag === "f46" ? ["Fedora-Rawhide"] : []), releaseOfItem: () => undefined },
        executor: { execute: async (action) => void actions.push(action) },
        // no database here: these messages are all valid, and a dead letter would fail the test
        deadLetters: { record: async ({ reason }) => void logs.push(`dead letter: ${reason}`) },
        consumer: opts.queue,
        log: (line) => void logs.push(line),
      }),
    });
    consumers.push(c);
    return { consumer: c, actions, logs };
  };

  const rightTls = () => tlsOf({ AMQP_URL: url, AMQP_CA_CERT: pki.ca.cert, AMQP_CERT: pki.clients[CONSUMER_USER]!.cert, AMQP_KEY: pki.clients[CONSUMER_USER]!.key });

  it("a consumer with the right client certificate logs in with SASL EXTERNAL as its CN, on a UUID-named durable queue, and consumes what the real fedora-messaging library published over TLS", async () => {
    const dataDir = path.join(dir, "data");
    const queue = resolveQueueName("uuid", dataDir);
    expect(isUuid(queue)).toBe(true);
    // kept: a restarted consumer finds its queue again
    expect(resolveQueueName("uuid", dataDir)).toBe(queue);
    const { consumer: c, actions, logs } = consumer({ url, tls: rightTls(), queue });
    await c.start();

    // the broker's view: a TLS connection, logged in with EXTERNAL as the certificate's CN
    const connections = await rabbit.ctl(["-q", "list_connections", "user", "ssl", "auth_mechanism", "peer_cert_subject"]);
    expect(connections).toMatch(new RegExp(`^${CONSUMER_USER}\\ttrue\\tEXTERNAL\\t.*CN=${CONSUMER_USER}`, "m"));
    const queues = await rabbit.ctl(["-q", "list_queues", "name", "durable", "auto_delete", "exclusive"]);
    expect(queues).toMatch(new RegExp(`^${queue}\\ttrue\\tfalse\\tfalse$`, "m"));

    const conf = writeFedoraMessagingConf(dir, {
      topicPrefix: prefix,
      // fedora-messaging's own way: no user in the URL, the certificate says who
      amqpUrl: `amqps://localhost:${rabbit.tlsPort}/%2F`,
      tls: { caCert: pki.ca.cert, certFile: pki.clients[PUBLISHER_USER]!.cert, keyFile: pki.clients[PUBLISHER_USER]!.key },
    });
    const builds = ["bash", "glibc", "xfwm4"].map((name, i) => tagSpec({ tag: "f46", name, version: "1.0", release: `${i + 1}.fc46`, buildId: 900_000 + i }));
    const published = await publishWithPython(conf, builds);
    expect(published).toHaveLength(3);

    await eventually(async () => (actions.length >= 3 ? true : undefined), `3 trigger actions (logs: ${logs.join(" | ")})`, 90_000);
    expect(actions.map((a) => (a.kind === "trigger" ? `${a.release} ${a.change.package}` : a.kind)).sort()).toEqual(["Fedora-Rawhide bash", "Fedora-Rawhide glibc", "Fedora-Rawhide xfwm4"]);
    await eventually(async () => (c.stats().acked >= 3 ? true : undefined), "3 acks", 30_000);
    expect(c.stats()).toMatchObject({ delivered: 3, deadLettered: 0, connected: true });
  }, 180_000);

  it("the publisher connects with the same TLS settings (EXTERNAL as the consumer's CN)", async () => {
    const tls = rightTls();
    const { consumer: c, actions } = consumer({ url, tls, queue: `${randomBytes(8).toString("hex")}-publisher-test` });
    await c.start();
    const publisher = await AmqpBusPublisher.connect(url, { tls, topicPrefix: prefix, connectionName: "relengotron tls publisher test" });
    try {
      await publisher.publish({ topic: "buildsys.tag", schema: "koji_fedoramessaging.tag.TagV1", body: { build_id: 1, name: "zlib-ng", tag_id: 1, instance: "primary", tag: "f46", user: "bodhi", version: "2.0", owner: "packager", release: "1.fc46" } });
      await eventually(async () => (actions.length >= 1 ? true : undefined), "the published message consumed", 60_000);
      expect(actions[0]).toMatchObject({ kind: "trigger", release: "Fedora-Rawhide" });
      const connections = await rabbit.ctl(["-q", "list_connections", "user", "ssl", "auth_mechanism", "client_properties"]);
      expect(connections.split("\n").find((line) => line.includes("relengotron tls publisher test"))).toMatch(new RegExp(`^${CONSUMER_USER}\\ttrue\\tEXTERNAL\\t`));
    } finally {
      await publisher.close();
    }
  }, 120_000);

  it("a consumer without a client certificate is refused by the broker, with what to set", async () => {
    const { consumer: c } = consumer({ url, tls: tlsOf({ AMQP_URL: url, AMQP_CA_CERT: pki.ca.cert }), queue: `${randomBytes(8).toString("hex")}-no-cert` });
    const error = await c.start().then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/^cannot consume from RabbitMQ at amqps:\/\/localhost:\d+: .*client certificate.*AMQP_CERT and AMQP_KEY/);
  }, 60_000);

  it("a consumer trusting another CA refuses the broker's certificate", async () => {
    const tls = tlsOf({ AMQP_URL: url, AMQP_CA_CERT: pki.otherCa.cert, AMQP_CERT: pki.clients[CONSUMER_USER]!.cert, AMQP_KEY: pki.clients[CONSUMER_USER]!.key });
    const { consumer: c } = consumer({ url, tls, queue: `${randomBytes(8).toString("hex")}-wrong-ca` });
    const error = await c.start().then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/cannot consume from RabbitMQ at amqps:\/\/localhost:\d+: the broker's certificate .*AMQP_CA_CERT/);
    // …and without AMQP_CA_CERT the system's CAs do not know the test CA either
    const system = consumer({ url, tls: tlsOf({ AMQP_URL: url, AMQP_CERT: pki.clients[CONSUMER_USER]!.cert, AMQP_KEY: pki.clients[CONSUMER_USER]!.key }), queue: `${randomBytes(8).toString("hex")}-system-ca` });
    expect((await system.consumer.start().then(() => undefined, (e: unknown) => e as Error))?.message).toMatch(/the broker's certificate/);
  }, 60_000);

  it("the broker's certificate must name the host of AMQP_URL", async () => {
    const ipUrl = `amqps://127.0.0.1:${rabbit.tlsPort}`;
    const tls = tlsOf({ AMQP_URL: ipUrl, AMQP_CA_CERT: pki.ca.cert, AMQP_CERT: pki.clients[CONSUMER_USER]!.cert, AMQP_KEY: pki.clients[CONSUMER_USER]!.key });
    const { consumer: c } = consumer({ url: ipUrl, tls, queue: `${randomBytes(8).toString("hex")}-wrong-host` });
    const error = await c.start().then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/not for the host in AMQP_URL/);
  }, 60_000);

  it("a certificate the CA signed for a CN that is no broker user is refused at login", async () => {
    const tls = tlsOf({ AMQP_URL: url, AMQP_CA_CERT: pki.ca.cert, AMQP_CERT: pki.clients[STRANGER]!.cert, AMQP_KEY: pki.clients[STRANGER]!.key });
    const { consumer: c } = consumer({ url, tls, queue: `${randomBytes(8).toString("hex")}-stranger` });
    const error = await c.start().then(() => undefined, (e: unknown) => e as Error);
    expect(error?.message).toMatch(/the broker refused the login/);
  }, 60_000);

  describe("configuration errors name the variable", () => {
    const problems = (env: Record<string, string>): string[] => {
      try {
        loadAmqpTls(loadConfig(env));
        return [];
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        return error.problems;
      }
    };
    const good = () => ({ AMQP_URL: url, AMQP_CA_CERT: pki.ca.cert, AMQP_CERT: pki.clients[CONSUMER_USER]!.cert, AMQP_KEY: pki.clients[CONSUMER_USER]!.key });

    it("accepts the right files", () => {
      expect(problems(good())).toEqual([]);
    });

    it("a missing file, a directory, a file that is not PEM", () => {
      const notPem = path.join(dir, "not-pem.txt");
      fs.writeFileSync(notPem, "hello\n");
      expect(problems({ ...good(), AMQP_CA_CERT: path.join(dir, "nope.pem") })).toEqual([`AMQP_CA_CERT: no such file: ${path.join(dir, "nope.pem")}`]);
      expect(problems({ ...good(), AMQP_CERT: dir })).toEqual([`AMQP_CERT: a directory, not a file: ${dir}`]);
      expect(problems({ ...good(), AMQP_CA_CERT: notPem })).toEqual([`AMQP_CA_CERT: not a PEM certificate file (no -----BEGIN CERTIFICATE----- block): ${notPem}`]);
      // a certificate where the key belongs
      expect(problems({ ...good(), AMQP_KEY: pki.ca.cert })).toEqual([`AMQP_KEY: not a PEM private key (no -----BEGIN … PRIVATE KEY----- block): ${pki.ca.cert}`]);
      const broken = path.join(dir, "broken.pem");
      fs.writeFileSync(broken, "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
      expect(problems({ ...good(), AMQP_CERT: broken })[0]).toMatch(/^AMQP_CERT: certificate 1 of 1 does not parse/);
    });

    it.skipIf(process.getuid?.() === 0)("an unreadable file", () => {
      const secret = path.join(dir, "unreadable.key");
      fs.copyFileSync(pki.clients[CONSUMER_USER]!.key, secret);
      fs.chmodSync(secret, 0o000);
      expect(problems({ ...good(), AMQP_KEY: secret })).toEqual([`AMQP_KEY: not readable (permission denied): ${secret}`]);
    });

    it("a key that is not the certificate's", () => {
      expect(problems({ ...good(), AMQP_KEY: pki.clients[PUBLISHER_USER]!.key })[0]).toMatch(/^AMQP_KEY: not the private key of the certificate in AMQP_CERT \(.*CN=relengotron-consumer\)/);
    });

    it("a certificate without its key, TLS files for a connection in the clear", () => {
      expect(() => loadConfig({ AMQP_URL: url, AMQP_CERT: pki.clients[CONSUMER_USER]!.cert })).toThrow(/AMQP_KEY: required with AMQP_CERT/);
      expect(() => loadConfig({ AMQP_URL: url, AMQP_KEY: pki.clients[CONSUMER_USER]!.key })).toThrow(/AMQP_CERT: required with AMQP_KEY/);
      expect(() => loadConfig({ AMQP_URL: rabbit.url, AMQP_CA_CERT: pki.ca.cert })).toThrow(/AMQP_CA_CERT: TLS settings need an amqps:\/\/ AMQP_URL \(AMQP_URL is amqp:\/\//);
      expect(() => loadConfig({ AMQP_CA_CERT: pki.ca.cert })).toThrow(/AMQP_CA_CERT: TLS settings need an amqps:\/\/ AMQP_URL \(AMQP_URL is unset\)/);
    });

    it("the bus service stops at a bad file before it connects", async () => {
      const cfg = loadConfig({ ...good(), AMQP_CERT: path.join(dir, "gone.pem") });
      await expect(
        startBus({ cfg, client: {} as Client, db: {} as Db, koji: { getBuildTypes: async () => ({}) } as never, releases: { names: () => [] } as unknown as ReleaseCatalog, taskQueue: "unused" }),
      ).rejects.toThrow(/AMQP_CERT: no such file/);
    });
  });
});
