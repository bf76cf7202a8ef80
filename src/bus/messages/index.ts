// A message as it comes off the bus (fedora-messaging's wire format: routing key = topic, JSON body,
// its headers, message id in the AMQP properties) and its validation: the topic picks the schema,
// zod checks headers and body. Anything that fails is a `Rejection` with the reason, for the
// dead letters (composedb, dead-letters.ts).
import { z } from "zod";
import { bodhiUpdateCompleteBodySchema, type BodhiUpdateCompleteBody } from "./bodhi.js";
import { kojiBuildStateBodySchema, kojiTagBodySchema, type KojiBuildStateBody, type KojiTagBody } from "./koji.js";
import { pungiStatusBodySchema, type PungiStatusBody } from "./pungi.js";
import { resultsdbNewBodySchema, type ResultsdbNewBody } from "./resultsdb.js";

/** What the consumer hands over: the AMQP delivery, undecoded. */
export interface BusEnvelope {
  /** properties.message_id */
  id: string | undefined;
  /** the routing key, environment prefix included (org.fedoraproject.prod.buildsys.tag) */
  routingKey: string;
  headers: Record<string, unknown>;
  contentEncoding: string | undefined;
  body: Buffer;
}

/** fedora-messaging's Message.headers_schema: every key optional, these types when present. */
export const fedoraMessagingHeadersSchema = z.looseObject({
  fedora_messaging_schema: z.string().optional(),
  fedora_messaging_schema_package: z.string().optional(),
  fedora_messaging_severity: z.union([z.literal(10), z.literal(20), z.literal(30), z.literal(40)]).optional(),
  "sent-at": z.string().optional(),
});

interface Common {
  id: string;
  /** the topic without its environment prefix */
  topic: string;
  /** when the publisher sent it (the sent-at header), if it said */
  sentAt: string | undefined;
}

export type BusMessage =
  | (Common & { family: "koji.tag"; op: "tag" | "untag"; body: KojiTagBody })
  | (Common & { family: "koji.build-state"; body: KojiBuildStateBody })
  | (Common & { family: "pungi.status"; body: PungiStatusBody })
  | (Common & { family: "bodhi.update-complete"; body: BodhiUpdateCompleteBody })
  | (Common & { family: "resultsdb.result"; body: ResultsdbNewBody });

export type BusFamily = BusMessage["family"];

interface TopicSpec {
  family: BusFamily;
  body: z.ZodType;
  /** schema names (fedora_messaging_schema) publishers use for this topic */
  schemas: string[];
}

/** Every topic relengotron reads, without environment prefix. */
export const TOPICS: Record<string, TopicSpec> = {
  "buildsys.tag": { family: "koji.tag", body: kojiTagBodySchema, schemas: ["koji_fedoramessaging.tag.TagV1"] },
  "buildsys.untag": { family: "koji.tag", body: kojiTagBodySchema, schemas: ["koji_fedoramessaging.tag.UntagV1"] },
  "buildsys.build.state.change": { family: "koji.build-state", body: kojiBuildStateBodySchema, schemas: ["koji_fedoramessaging.build.BuildStateChangeV1"] },
  "pungi.compose.status.change": { family: "pungi.status", body: pungiStatusBodySchema, schemas: [] },
  "bodhi.update.complete.stable": { family: "bodhi.update-complete", body: bodhiUpdateCompleteBodySchema, schemas: ["bodhi.update.complete.stable.v1"] },
  "bodhi.update.complete.testing": { family: "bodhi.update-complete", body: bodhiUpdateCompleteBodySchema, schemas: ["bodhi.update.complete.testing.v1"] },
  "resultsdb.result.new": { family: "resultsdb.result", body: resultsdbNewBodySchema, schemas: [] },
};

/** AMQP binding keys for TOPICS, under any environment prefix (`#` matches zero or more words). */
export const DEFAULT_BINDINGS = Object.keys(TOPICS).map((t) => `#.${t}`);

/** Binding keys for TOPICS under one prefix only (org.fedoraproject.prod), or under any. */
export function bindingsFor(topicPrefix?: string): string[] {
  return topicPrefix ? Object.keys(TOPICS).map((t) => `${topicPrefix.replace(/\.+$/, "")}.${t}`) : DEFAULT_BINDINGS;
}

/** org.fedoraproject.prod.buildsys.tag -> buildsys.tag (also stg/dev, and other organisations). */
export function stripEnvironment(routingKey: string): string {
  return routingKey.replace(/^[a-z]+\.[a-z0-9_-]+\.(?:prod|stg|dev)\./, "");
}

export type ParseResult = { ok: true; message: BusMessage } | { ok: false; reason: string; topic: string };

const decoder = new TextDecoder("utf-8", { fatal: true });

export function parseEnvelope(envelope: BusEnvelope): ParseResult {
  const topic = stripEnvironment(envelope.routingKey);
  const reject = (reason: string): ParseResult => ({ ok: false, reason, topic });
  const spec = TOPICS[topic];
  if (!spec) return reject(`unknown topic ${envelope.routingKey}`);
  if (!envelope.id) return reject("no message id (properties.message_id): a duplicate could not be recognised");

  const headers = fedoraMessagingHeadersSchema.safeParse(envelope.headers);
  if (!headers.success) return reject(`invalid headers: ${issues(headers.error)}`);
  const schema = headers.data.fedora_messaging_schema;
  // base.message is what a publisher without a schema package sends (Pungi, ResultsDB, scripts).
  if (schema !== undefined && schema !== "base.message" && !spec.schemas.includes(schema)) {
    return reject(`schema ${schema} does not match topic ${topic} (expected ${[...spec.schemas, "base.message"].join(" or ")})`);
  }
  const encoding = (envelope.contentEncoding ?? "utf-8").toLowerCase();
  if (encoding !== "utf-8" && encoding !== "utf8") return reject(`unsupported content encoding ${envelope.contentEncoding}`);

  let text: string;
  try {
    text = decoder.decode(envelope.body);
  } catch {
    return reject("body is not valid UTF-8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return reject(`body is not JSON: ${(error as Error).message}`);
  }
  const body = spec.body.safeParse(json);
  if (!body.success) return reject(`body does not match the ${topic} schema: ${issues(body.error)}`);

  const common = { id: envelope.id, topic, sentAt: headers.data["sent-at"] };
  switch (spec.family) {
    case "koji.tag":
      return { ok: true, message: { ...common, family: spec.family, op: topic === "buildsys.tag" ? "tag" : "untag", body: body.data as KojiTagBody } };
    case "koji.build-state":
      return { ok: true, message: { ...common, family: spec.family, body: body.data as KojiBuildStateBody } };
    case "pungi.status":
      return { ok: true, message: { ...common, family: spec.family, body: body.data as PungiStatusBody } };
    case "bodhi.update-complete":
      return { ok: true, message: { ...common, family: spec.family, body: body.data as BodhiUpdateCompleteBody } };
    case "resultsdb.result":
      return { ok: true, message: { ...common, family: spec.family, body: body.data as ResultsdbNewBody } };
  }
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
    .join("; ");
}
