#!/usr/bin/env python3
"""Publish messages to the bus with the real fedora-messaging library and its real message classes.

The reference peer for relengotron's bus consumer: every message goes through
`fedora_messaging.api.publish`, built by the message class the schema packages register
(koji_fedoramessaging.tag.TagV1, bodhi.update.complete.stable.v1 …), exactly as Koji's and
Bodhi's plugins publish them. Pungi and ResultsDB publish with the base `Message` class
("base.message"), so that is what they get here too.

Input (a file argument or stdin): JSON lines, one message each:
  {"schema": "koji_fedoramessaging.tag.TagV1", "topic": "buildsys.tag", "body": {...},
   "id": "optional fixed message id", "raw": false}
`topic` may be left out when the class has one. With "raw": true the body is a *string* sent as
the AMQP payload without validation (a malformed message, as a misbehaving publisher sends it).

Output: one JSON line per published message: {"id": ..., "topic": ..., "schema": ...}.

Options:
  --spread-seconds S   spread the publishes evenly over S seconds (default 0: as fast as possible)
  --dry-run            publish nothing; print each message's wire form as fedora-messaging would
                       send it ({"valid", "error", "routing_key", "body", "headers", "properties"}),
                       and whether its class accepts the body as a consumer would ("valid", "error")

Configuration: FEDORA_MESSAGING_CONF names a TOML file (amqp_url, publish_exchange, topic_prefix).
Run with the project's venv: .venv/bin/python tools/publish_messages.py [--spread-seconds S] [FILE]
"""

import argparse
import json
import logging
import sys
import time

import pika

from fedora_messaging import api
from fedora_messaging.message import get_class, Message


class RawMessage(Message):
    """A message whose payload is sent as given: for malformed-message tests only."""

    def __init__(self, payload, **kwargs):
        super().__init__(body={}, **kwargs)
        self._payload = payload

    @property
    def _encoded_body(self):
        return self._payload.encode("utf-8")

    def validate(self):
        pass


def build(spec, validate=True):
    schema = spec.get("schema", "base.message")
    if spec.get("raw"):
        # get_name() needs a registered class: a subclass of its own per message, registered
        # under the schema name it is to claim.
        from fedora_messaging import message as fm

        cls = type("RawMessage", (RawMessage,), {})
        fm._class_to_schema_name[cls] = schema
        msg = cls(spec["body"], topic=spec.get("topic"))
    else:
        cls = get_class(schema)
        if cls is Message and schema != "base.message":
            raise SystemExit(f"schema {schema!r} is not installed in this environment")
        msg = cls(body=spec["body"], topic=spec.get("topic")) if spec.get("topic") else cls(body=spec["body"])
        if validate:
            msg.validate()
    if spec.get("id"):
        msg.id = spec["id"]
    return msg


def validity(spec):
    """Whether a consumer would accept the body: built as message.get_message builds a received
    message (properties given, so no publish-side header computation), then validated."""
    if spec.get("raw"):
        return False, "raw payload"
    cls = get_class(spec.get("schema", "base.message"))
    kwargs = {"topic": spec["topic"]} if spec.get("topic") else {}
    try:
        cls(body=spec["body"], properties=pika.BasicProperties(headers={}), **kwargs).validate()
        return True, None
    except Exception as e:  # jsonschema's ValidationError, or a message class's own check
        return False, str(e).splitlines()[0]


def wire_form(spec):
    valid, error = validity(spec)
    try:
        msg = build(spec, validate=False)
    except Exception as e:  # some classes cannot even build the headers of a body they reject
        return {"valid": valid, "error": error, "publish_error": f"{type(e).__name__}: {e}"}
    props = msg._properties
    return {
        "valid": valid,
        "error": error,
        "routing_key": msg._encoded_routing_key,
        "body": msg._encoded_body.decode("utf-8"),
        "headers": props.headers,
        "properties": {
            "content_type": props.content_type,
            "content_encoding": props.content_encoding,
            "delivery_mode": props.delivery_mode,
            "message_id": props.message_id,
            "priority": props.priority,
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?")
    parser.add_argument("--spread-seconds", type=float, default=0.0)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    # stdout carries the JSON lines; the library's warnings go to stderr.
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    source = open(args.file, encoding="utf-8") if args.file else sys.stdin
    specs = [json.loads(line) for line in source if line.strip()]
    if args.dry_run:
        for spec in specs:
            print(json.dumps(wire_form(spec)), flush=True)
        return
    messages = [build(spec) for spec in specs]
    interval = args.spread_seconds / max(1, len(messages) - 1) if args.spread_seconds > 0 else 0.0
    start = time.monotonic()
    for i, msg in enumerate(messages):
        if interval:
            delay = start + i * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        api.publish(msg)
        print(json.dumps({"id": msg.id, "topic": msg.topic, "schema": msg._headers.get("fedora_messaging_schema")}), flush=True)


if __name__ == "__main__":
    main()
