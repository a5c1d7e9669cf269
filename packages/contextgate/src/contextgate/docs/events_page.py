"""``events.md``: every event type and version, its JSON Schema, who publishes it and who
subscribes to it."""

from __future__ import annotations

import json

from contextgate.docs.catalogue import Event
from contextgate.docs.facts import Facts
from contextgate.docs.markdown import (
    NO_CATALOGUE,
    NONE,
    anchor,
    cell,
    code,
    generated_notice,
    table,
)

FILENAME = "events.md"
DRAFT = "http://json-schema.org/draft-07/schema#"  # AsyncAPI 3.0's default schema format


def render(facts: Facts) -> str:
    lines = [
        *generated_notice("The integration events contexts publish and subscribe to."),
        "",
        "# Integration events",
        "",
    ]
    if facts.catalogue is None:
        return "\n".join([*lines, NO_CATALOGUE]) + "\n"
    envelope = facts.catalogue.envelope
    lines += [
        (envelope.description + " " if envelope else "")
        + "The same in machine-readable form: [asyncapi.yaml](asyncapi.yaml).",
        "",
    ]
    rows = [
        [
            f"[{code(e.type)}](#{anchor(_heading(e))})",
            str(e.version),
            e.context,
            cell(", ".join(sorted({li.context for li in facts.listeners_of(e.type, e.version)}))),
            cell(e.summary),
        ]
        for e in facts.events
    ]
    lines += table(["event", "version", "publisher", "subscribers", "what happened"], rows)
    for event in facts.events:
        lines += ["", *_section(facts, event)]
    return "\n".join(lines) + "\n"


def _heading(event: Event) -> str:
    return f"{event.type} v{event.version}"


def _section(facts: Facts, event: Event) -> list[str]:
    listeners = facts.listeners_of(event.type, event.version)
    subscribers = (
        ", ".join(f"{li.context} ({code(li.handler)})" for li in listeners) or f"{NONE} (nobody)"
    )
    schema = {"$schema": DRAFT, **event.schema}
    return [
        f"## {_heading(event)}",
        "",
        *(event.description.splitlines() if event.description else []),
        *([""] if event.description else []),
        f"- Published by: {event.context} ({code(f'{event.module}.{event.name}')})",
        f"- Subscribed by: {subscribers}",
        "",
        "```json",
        *json.dumps(schema, indent=2, ensure_ascii=False).splitlines(),
        "```",
    ]
