// The sandbox Koji hub's changes as Koji's fedora-messaging plugin publishes them (same topics,
// bodies, schema names and filter headers as koji-fedoramessaging-messages' classes), so the
// started stack runs the whole loop: tag a build in the sandbox, a pipeline follows.
import type { KojiHubEvent } from "./koji-hub.js";
import { SEVERITY, type BusPublisher, type OutgoingMessage } from "../bus/publisher.js";

const SCHEMA_PACKAGE = "koji_fedoramessaging_messages";

export function kojiEventMessage(event: KojiHubEvent): OutgoingMessage | null {
  if (!event.published) return null;
  const body = event.body;
  const str = (key: string) => (typeof body[key] === "string" ? (body[key] as string) : undefined);
  const users = (...names: (string | undefined)[]) => [...new Set(names.filter((n): n is string => !!n))];
  const packages = str("name") ? [str("name")!] : [];
  switch (event.topic) {
    case "buildsys.tag":
    case "buildsys.untag": {
      const tag = str("tag") ?? "";
      // TagMessage._choose_priority: mass rebuilds lowest, ELN next, everything else 2.
      const priority = /^f\d+-rebuild$/.test(tag) ? 0 : /^eln(-.*)?$/.test(tag) ? 1 : 2;
      return {
        topic: event.topic,
        body,
        schema: event.topic === "buildsys.tag" ? "koji_fedoramessaging.tag.TagV1" : "koji_fedoramessaging.tag.UntagV1",
        schemaPackage: SCHEMA_PACKAGE,
        severity: SEVERITY.DEBUG,
        priority,
        usernames: users(str("user"), str("owner")),
        packages,
      };
    }
    case "buildsys.build.state.change":
      return { topic: event.topic, body, schema: "koji_fedoramessaging.build.BuildStateChangeV1", schemaPackage: SCHEMA_PACKAGE, usernames: users(str("owner")), packages };
    case "buildsys.task.state.change":
      return { topic: event.topic, body, schema: "koji_fedoramessaging.task.TaskStateChangeV1", schemaPackage: SCHEMA_PACKAGE, usernames: users(str("owner")) };
  }
}

/** An `onKojiEvent` for startSandbox that publishes every change Koji would publish. */
export function sandboxKojiPublisher(publisher: () => BusPublisher | undefined, log: (line: string) => void = () => {}): (event: KojiHubEvent) => void {
  return (event) => {
    const message = kojiEventMessage(event);
    const bus = publisher();
    if (!message || !bus) return;
    bus.publish(message).catch((error: Error) => log(`sandbox: could not publish ${event.topic}: ${error.message}`));
  };
}
