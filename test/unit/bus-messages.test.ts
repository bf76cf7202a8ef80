// Bus messages against the real schema packages: every Fedora sample message is validated by its
// real fedora-messaging class (the Python peer) and by relengotron's zod schemas, and the two must
// agree; malformed messages are rejected with a reason; the wire format relengotron publishes is
// the one fedora-messaging produces.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../src/config.js";
import { parseEnvelope, stripEnvironment, type BusEnvelope } from "../../src/bus/messages/index.js";
import { encodeMessage, SEVERITY } from "../../src/bus/publisher.js";
import { kojiEventMessage } from "../../src/sandbox/koji-messages.js";

const FIXTURES = path.join(projectRoot, "test", "fixtures", "fedora", "messages");
const PYTHON = path.join(projectRoot, ".venv", "bin", "python");
const TOOL = path.join(projectRoot, "tools", "publish_messages.py");

interface Wire {
  valid: boolean;
  error: string | null;
  routing_key: string;
  body: string;
  headers: Record<string, unknown>;
  properties: { content_type: string; content_encoding: string; delivery_mode: number; message_id: string; priority: number | null };
}

/** fedora-messaging's own view of messages: built and validated by their registered classes. */
function pythonWire(specs: object[]): Wire[] {
  const run = spawnSync(PYTHON, [TOOL, "--dry-run"], { input: specs.map((s) => JSON.stringify(s)).join("\n"), encoding: "utf8" });
  if (run.status !== 0) throw new Error(`publish_messages.py --dry-run failed: ${run.stderr}`);
  return run.stdout.trim().split("\n").map((line) => JSON.parse(line) as Wire);
}

/** The schema class upstream registers for each topic; Pungi and ResultsDB use the base class. */
const SCHEMA_OF: Record<string, string> = {
  "buildsys.tag": "koji_fedoramessaging.tag.TagV1",
  "buildsys.untag": "koji_fedoramessaging.tag.UntagV1",
  "buildsys.build.state.change": "koji_fedoramessaging.build.BuildStateChangeV1",
  "bodhi.update.complete.stable": "bodhi.update.complete.stable.v1",
  "bodhi.update.complete.testing": "bodhi.update.complete.testing.v1",
  "pungi.compose.status.change": "base.message",
};

describe("bus messages", () => {
  it("accepts exactly the Fedora sample messages their real schema classes accept", () => {
    const samples = fs
      .readdirSync(FIXTURES)
      .map((f) => ({ file: f, ...(JSON.parse(fs.readFileSync(path.join(FIXTURES, f), "utf8")) as { topic: string; body: unknown }) }))
      .map((s) => ({ ...s, topic: stripEnvironment(s.topic) }))
      .filter((s) => s.topic in SCHEMA_OF);
    // All but the bodhi update.request and pungi phase samples (topics relengotron does not read).
    expect(samples.length).toBe(19);
    const wires = pythonWire(samples.map((s) => ({ schema: SCHEMA_OF[s.topic], topic: s.topic, body: s.body })));
    const verdicts = samples.map((s, i) => {
      const ours = parseEnvelope({
        id: `sample-${i}`,
        routingKey: `org.fedoraproject.prod.${s.topic}`,
        headers: { fedora_messaging_schema: SCHEMA_OF[s.topic], fedora_messaging_severity: 20, "sent-at": "2026-11-27T10:00:00+00:00" },
        contentEncoding: "utf-8",
        body: Buffer.from(JSON.stringify(s.body)),
      });
      return { file: s.file, upstream: wires[i]!.valid, ours: ours.ok, reason: ours.ok ? null : ours.reason };
    });
    for (const v of verdicts) expect(v.ours, `${v.file}: upstream ${v.upstream ? "accepts" : "rejects"}, relengotron ${v.reason ?? "accepts"}`).toBe(v.upstream);
    // Both kinds occur: the fedmsg-era Koji build messages lack fields BuildStateChangeV1 requires.
    expect(verdicts.filter((v) => v.upstream).length).toBeGreaterThan(5);
    expect(verdicts.filter((v) => !v.upstream).map((v) => v.file)).toEqual(expect.arrayContaining(["buildsys.build.state.change-1.json"]));
  });

  it("rejects malformed messages with the reason", () => {
    const good = { id: "id-1", routingKey: "org.fedoraproject.prod.buildsys.tag", headers: { fedora_messaging_schema: "koji_fedoramessaging.tag.TagV1", fedora_messaging_severity: 10 }, contentEncoding: "utf-8" };
    const body = (value: unknown) => Buffer.from(JSON.stringify(value));
    const tag = { name: "bash", version: "5.2.37", release: "2.fc46", tag: "f46", build_id: 7 };
    const reason = (e: BusEnvelope) => {
      const r = parseEnvelope(e);
      return r.ok ? "accepted" : r.reason;
    };
    expect(reason({ ...good, body: body(tag) })).toBe("accepted");
    expect(reason({ ...good, body: Buffer.from("{not json") })).toMatch(/^body is not JSON/);
    expect(reason({ ...good, body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]) })).toBe("body is not valid UTF-8");
    expect(reason({ ...good, body: body({ ...tag, name: undefined }) })).toMatch(/^body does not match the buildsys.tag schema: name:/);
    expect(reason({ ...good, body: body({ ...tag, build_id: "seven" }) })).toMatch(/build_id/);
    expect(reason({ ...good, body: body([tag]) })).toMatch(/^body does not match/);
    expect(reason({ ...good, id: undefined, body: body(tag) })).toMatch(/^no message id/);
    expect(reason({ ...good, routingKey: "org.fedoraproject.prod.copr.build.end", body: body(tag) })).toBe("unknown topic org.fedoraproject.prod.copr.build.end");
    expect(reason({ ...good, headers: { ...good.headers, fedora_messaging_severity: 25 }, body: body(tag) })).toMatch(/^invalid headers: fedora_messaging_severity/);
    expect(reason({ ...good, headers: { fedora_messaging_schema: "bodhi.update.complete.stable.v1" }, body: body(tag) })).toMatch(/^schema bodhi.update.complete.stable.v1 does not match topic buildsys.tag/);
    expect(reason({ ...good, contentEncoding: "latin-1", body: body(tag) })).toBe("unsupported content encoding latin-1");
  });

  it("publishes in fedora-messaging's wire format, byte for byte", () => {
    const body = { build_id: 3301, name: "fïrefox", tag_id: 2, instance: "primary", tag: "f46", user: "bodhi", version: "133.0", owner: "mozilla", release: "2.fc46", extra: [1, 2.5, null, true] };
    const [python] = pythonWire([{ schema: "koji_fedoramessaging.tag.TagV1", body }]);
    const ours = encodeMessage({
      topic: "buildsys.tag",
      body,
      schema: "koji_fedoramessaging.tag.TagV1",
      schemaPackage: "koji_fedoramessaging_messages",
      severity: SEVERITY.DEBUG,
      priority: 2,
      usernames: ["bodhi", "mozilla"],
      packages: ["fïrefox"],
      id: python!.properties.message_id,
    });
    expect(ours.routingKey).toBe(python!.routing_key);
    expect(ours.content.toString("utf8")).toBe(python!.body);
    const { "sent-at": ourSentAt, ...ourHeaders } = ours.options.headers;
    const { "sent-at": theirSentAt, ...theirHeaders } = python!.headers;
    expect(ourHeaders).toEqual(theirHeaders);
    expect(String(ourSentAt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(String(theirSentAt)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(ours.options).toMatchObject({
      contentType: python!.properties.content_type,
      contentEncoding: python!.properties.content_encoding,
      deliveryMode: python!.properties.delivery_mode,
      messageId: python!.properties.message_id,
      priority: python!.properties.priority,
    });
  });

  it("gives a sandbox Koji change the class upstream would publish it with, and the class accepts its body", () => {
    const event = {
      topic: "buildsys.tag" as const,
      eventId: 12,
      published: true,
      body: { base_url: "http://127.0.0.1:1/", instance: "primary", tag: "f46", name: "bash", version: "5.2.37", release: "2.fc46", user: "releng", owner: "packager", tag_id: 1, build_id: 40 },
    };
    const message = kojiEventMessage(event)!;
    const [python] = pythonWire([{ schema: message.schema, body: message.body }]);
    expect(python!.valid).toBe(true);
    const ours = encodeMessage({ ...message, id: "x" });
    const { "sent-at": _a, ...ourHeaders } = ours.options.headers;
    const { "sent-at": _b, ...theirHeaders } = python!.headers;
    expect(ourHeaders).toEqual(theirHeaders);
    expect(kojiEventMessage({ ...event, published: false })).toBeNull();
  });
});
