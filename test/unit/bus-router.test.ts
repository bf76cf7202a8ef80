// What each kind of bus message makes relengotron do, from real sample bodies, with the release
// catalogue of config/artifacts; and AMQP topic matching as RabbitMQ does it.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnvelope } from "../../src/bus/messages/index.js";
import { route, routerContext, type Routing } from "../../src/bus/router.js";
import { topicMatches } from "../../src/bus/topics.js";
import { projectRoot } from "../../src/config.js";
import { ReleaseCatalog } from "../../src/releases/catalog.js";

const ctx = routerContext(ReleaseCatalog.load(path.join(projectRoot, "config", "artifacts")));
const sample = (file: string) => JSON.parse(fs.readFileSync(path.join(projectRoot, "test", "fixtures", "fedora", "messages", file), "utf8")) as { topic: string; body: Record<string, unknown> };

function routeOf(topic: string, body: unknown, opts: { id?: string; sentAt?: string } = {}): Routing {
  const parsed = parseEnvelope({
    id: opts.id ?? "m-1",
    routingKey: topic,
    headers: opts.sentAt ? { "sent-at": opts.sentAt } : {},
    contentEncoding: "utf-8",
    body: Buffer.from(JSON.stringify(body)),
  });
  if (!parsed.ok) throw new Error(parsed.reason);
  return route(parsed.message, ctx);
}

describe("bus router", () => {
  it("a build tagged into or untagged from a release's compose tag is a change for that release's trigger", () => {
    const body = { ...sample("buildsys.tag-2.json").body, tag: "f46", name: "firefox", version: "133.0", release: "2.fc46" };
    expect(routeOf("org.fedoraproject.prod.buildsys.tag", body, { id: "tag-1" })).toEqual({
      kind: "actions",
      actions: [{ kind: "trigger", release: "Fedora-Rawhide", change: { messageId: "tag-1", package: "firefox", nvr: "firefox-133.0-2.fc46", op: "tag", tag: "f46" } }],
    });
    const untag = routeOf("org.fedoraproject.prod.buildsys.untag", { ...sample("buildsys.untag-2.json").body, tag: "f46" }, { id: "untag-1" });
    expect(untag.kind === "actions" && untag.actions[0]).toMatchObject({ kind: "trigger", change: { op: "untag", messageId: "untag-1" } });
  });

  it("other tags are no release's business", () => {
    expect(routeOf("org.fedoraproject.prod.buildsys.tag", sample("buildsys.tag-2.json").body)).toEqual({ kind: "ignore", reason: "tag f31-updates-pending is no release's compose tag" });
    expect(routeOf("buildsys.tag", { ...sample("buildsys.tag-2.json").body, tag: "f46-updates-candidate" }).kind).toBe("ignore");
  });

  it("a completed Koji build is recorded; other build states are not", () => {
    const complete = sample("buildsys.build.state.change-6.json").body;
    expect(complete.new).toBe(1);
    expect(routeOf("org.fedoraproject.prod.buildsys.build.state.change", complete)).toEqual({
      kind: "actions",
      actions: [
        {
          kind: "record-build",
          build: {
            nvr: `${complete.name}-${complete.version}-${complete.release}`,
            name: complete.name,
            epoch: complete.epoch === null ? 0 : Number(complete.epoch),
            version: complete.version,
            release: complete.release,
            kojiBuildId: complete.build_id,
          },
        },
      ],
    });
    expect(routeOf("buildsys.build.state.change", { ...complete, old: 0, new: 3 }).kind).toBe("ignore");
    // The livecd sample is an image build: not an RPM build composedb records.
    const livecd = sample("buildsys.build.state.change-8.json").body;
    expect(routeOf("buildsys.build.state.change", { ...livecd, new: 1 })).toMatchObject({ kind: "ignore", reason: expect.stringContaining("not an RPM build") });
    // -7 is an RPM build with its task ("build").
    expect(routeOf("buildsys.build.state.change", sample("buildsys.build.state.change-7.json").body).kind).toBe("actions");
  });

  it("a Pungi status change is a compose status", () => {
    expect(routeOf("org.fedoraproject.prod.pungi.compose.status.change", sample("pungi.compose.status.change-2.json").body)).toEqual({
      kind: "actions",
      actions: [{ kind: "compose-status", composeId: "Fedora-24-20151208.n.7", location: "http://kojipkgs.fedoraproject.org/compose//rawhide/Fedora-24-20151208.n.7/compose", status: "FINISHED" }],
    });
  });

  it("a Bodhi update completing is recorded in its updates push, dated by sent-at; undatable ones are rejected", () => {
    const body = sample("bodhi.update.complete.stable-1.json").body;
    expect(routeOf("bodhi.update.complete.stable", body, { sentAt: "2026-11-27T21:04:05+00:00" })).toEqual({
      kind: "actions",
      actions: [
        {
          kind: "updates-push",
          push: {
            release: "Fedora-29",
            request: "stable",
            pushKey: "Fedora-29-updates-20261127",
            pushedAt: new Date("2026-11-27T21:04:05Z"),
            update: "FEDORA-2019-d64d0caab3",
            builds: ["golang-github-SAP-go-hdb-0.14.1-1.fc29", "texworks-0.6.3-1.fc29"],
            agent: "mohanboddu",
          },
        },
      ],
    });
    expect(routeOf("bodhi.update.complete.stable", body).kind).toBe("reject");
  });

  it("a ResultsDB result is for the running pipelines of the release its item belongs to", () => {
    const result = (item: string[]) => ({ id: 5, outcome: "PASSED", testcase: { name: "compose.cloud.smoke" }, data: { item, type: ["koji_build"] }, submit_time: "2026-11-27T10:00:00", note: null, ref_url: null });
    expect(routeOf("org.fedoraproject.prod.resultsdb.result.new", result(["Fedora-Workstation-Live-Rawhide-20261127.n.0", "firefox-133.0-2.fc46"]))).toEqual({
      kind: "actions",
      actions: [
        { kind: "ci-result", release: "Fedora-Rawhide", result: { item: "Fedora-Workstation-Live-Rawhide-20261127.n.0", testcase: "compose.cloud.smoke", outcome: "PASSED" } },
        { kind: "ci-result", release: undefined, result: { item: "firefox-133.0-2.fc46", testcase: "compose.cloud.smoke", outcome: "PASSED" } },
      ],
    });
    expect(routeOf("resultsdb.result.new", result([])).kind).toBe("ignore");
  });

  it("matches topics as an AMQP topic exchange does", () => {
    expect(topicMatches("#.buildsys.tag", "buildsys.tag")).toBe(true);
    expect(topicMatches("#.buildsys.tag", "org.fedoraproject.prod.buildsys.tag")).toBe(true);
    expect(topicMatches("#.buildsys.tag", "org.fedoraproject.prod.buildsys.tag.extra")).toBe(false);
    expect(topicMatches("#.buildsys.tag", "org.fedoraproject.prod.buildsys.untag")).toBe(false);
    expect(topicMatches("*.buildsys.*", "x.buildsys.tag")).toBe(true);
    expect(topicMatches("*.buildsys.*", "buildsys.tag")).toBe(false);
    expect(topicMatches("#", "")).toBe(true);
    expect(topicMatches("a.#.z", "a.z")).toBe(true);
    expect(topicMatches("a.#.z", "a.b.c.z")).toBe(true);
  });
});
