// What a validated bus message means for relengotron: a change to a release's compose tag (for
// that release's trigger), a Koji build to remember, a compose status, an updates push, a CI
// result for waiting pipelines, or nothing. Pure: the release catalogue comes in as a context.
import type { ReleaseCatalog } from "../releases/catalog.js";
import { pushFromMessage, type UpdatesPushRecord } from "../composedb/updates-push.js";
import type { PackageChange } from "../domain/debounce.js";
import { KOJI_BUILD_STATES } from "./messages/koji.js";
import type { BusMessage } from "./messages/index.js";
import type { COMPOSE_STATUSES } from "./messages/pungi.js";

export type BusAction =
  | { kind: "trigger"; release: string; change: PackageChange }
  | { kind: "record-build"; build: { nvr: string; name: string; epoch: number; version: string; release: string; kojiBuildId: number | null } }
  | { kind: "compose-status"; composeId: string; location: string; status: (typeof COMPOSE_STATUSES)[number] }
  | { kind: "updates-push"; push: UpdatesPushRecord }
  /** release: the release whose pipelines may wait for it, when the item tells */
  | { kind: "ci-result"; release: string | undefined; result: { item: string; testcase: string; outcome: string } };

/** ignore: valid but nothing to do here; reject: valid by its schema, yet unusable (dead letter) */
export type Routing = { kind: "actions"; actions: BusAction[] } | { kind: "ignore"; reason: string } | { kind: "reject"; reason: string };

export interface RouterContext {
  /** compose tag -> releases composed from it */
  releasesOfTag(tag: string): readonly string[];
  /** the release an image NVR (a ResultsDB item) belongs to */
  releaseOfItem(item: string): string | undefined;
}

export function routerContext(releases: ReleaseCatalog): RouterContext {
  const byTag = new Map<string, string[]>();
  const itemPrefixes: [string, string][] = [];
  for (const name of releases.names()) {
    const def = releases.get(name);
    byTag.set(def.koji.tag, [...(byTag.get(def.koji.tag) ?? []), name]);
    // Image NVRs are <short>-<artifact>-<version>-<compose date and respin> (imageNvr).
    for (const artifact of def.artifacts) itemPrefixes.push([`${def.release.short}-${artifact.name}-${def.release.version}-`, name]);
  }
  return {
    releasesOfTag: (tag) => byTag.get(tag) ?? [],
    releaseOfItem: (item) => itemPrefixes.find(([prefix]) => item.startsWith(prefix))?.[1],
  };
}

export function route(message: BusMessage, ctx: RouterContext): Routing {
  switch (message.family) {
    case "koji.tag": {
      const b = message.body;
      const releases = ctx.releasesOfTag(b.tag);
      if (releases.length === 0) return { kind: "ignore", reason: `tag ${b.tag} is no release's compose tag` };
      const change: PackageChange = { messageId: message.id, package: b.name, nvr: `${b.name}-${b.version}-${b.release}`, op: message.op, tag: b.tag };
      return { kind: "actions", actions: releases.map((release) => ({ kind: "trigger", release, change })) };
    }
    case "koji.build-state": {
      const b = message.body;
      // Only a finished build is worth remembering; it changes no compose until it is tagged.
      if (b.new !== KOJI_BUILD_STATES.COMPLETE) return { kind: "ignore", reason: `build ${b.name}-${b.version}-${b.release} state ${b.new} is not COMPLETE` };
      // composedb's Build is an RPM build: image builds (livemedia, kiwiBuild … tasks) are not.
      if (b.task?.method !== undefined && b.task.method !== "build") return { kind: "ignore", reason: `build ${b.name}-${b.version}-${b.release} is not an RPM build (task ${b.task.method})` };
      const epoch = b.epoch === null || b.epoch === "" ? 0 : Number(b.epoch);
      if (!Number.isInteger(epoch)) return { kind: "ignore", reason: `build ${b.name}-${b.version}-${b.release} has epoch ${String(b.epoch)}` };
      return {
        kind: "actions",
        actions: [{ kind: "record-build", build: { nvr: `${b.name}-${b.version}-${b.release}`, name: b.name, epoch, version: b.version, release: b.release, kojiBuildId: b.build_id } }],
      };
    }
    case "pungi.status": {
      const b = message.body;
      return { kind: "actions", actions: [{ kind: "compose-status", composeId: b.compose_id, location: b.location, status: b.status }] };
    }
    case "bodhi.update-complete": {
      // The push is dated from the update (date_pushed) or from when the message was sent; never
      // from when it arrives, so a redelivered message lands in the same push.
      const sent = message.sentAt ? new Date(message.sentAt) : undefined;
      const validSent = sent && !Number.isNaN(sent.getTime()) ? sent : undefined;
      if (!validSent && !message.body.update.date_pushed) return { kind: "reject", reason: "update complete message with neither sent-at nor date_pushed: its push cannot be dated" };
      return { kind: "actions", actions: [{ kind: "updates-push", push: pushFromMessage(message.topic, message.body, validSent ?? new Date(0)) }] };
    }
    case "resultsdb.result": {
      const b = message.body;
      const items = b.data.item ?? [];
      if (items.length === 0) return { kind: "ignore", reason: `result ${b.id} names no item` };
      return {
        kind: "actions",
        actions: items.map((item) => ({ kind: "ci-result", release: ctx.releaseOfItem(item), result: { item, testcase: b.testcase.name, outcome: b.outcome } })),
      };
    }
  }
}
