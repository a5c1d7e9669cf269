"""docs/architecture/events.md: every event type and version, its JSON Schema, who
publishes it and who subscribes to it."""

from __future__ import annotations

import json

from shop.platform.architecture.docs.facts import Event, Facts
from shop.platform.architecture.docs.markdown import (
    NONE,
    anchor,
    cell,
    code,
    generated_notice,
    table,
)
from shop.platform.architecture.docs.schema import DRAFT

FILENAME = "events.md"


def render(facts: Facts) -> str:
    lines = [
        *generated_notice("The integration events contexts publish and subscribe to."),
        "",
        "# Integration events",
        "",
        "Each event travels in a CloudEvents 1.0 envelope: `type` is the event type, "
        "`dataversion` its version, `source` the publishing context, `subject` the id of "
        "the aggregate it is about, and `data` the fields whose schema is shown below. The "
        "same in machine-readable form: [asyncapi.yaml](asyncapi.yaml).",
        "",
    ]
    rows = [
        [
            f"[{code(e.type)}](#{anchor(_heading(e))})",
            str(e.version),
            e.source,
            cell(", ".join(sorted({li.context for li in facts.listeners_of(e)}))),
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
    listeners = facts.listeners_of(event)
    subscribers = (
        ", ".join(f"{li.context} ({code(li.handler)})" for li in listeners) or f"{NONE} (nobody)"
    )
    schema = {"$schema": DRAFT, **event.schema}
    return [
        f"## {_heading(event)}",
        "",
        *(event.description.splitlines() if event.description else []),
        *([""] if event.description else []),
        f"- Published by: {event.source} ({code(f'{event.module}.{event.name}')})",
        f"- Subscribed by: {subscribers}",
        "",
        "```json",
        *json.dumps(schema, indent=2, ensure_ascii=False).splitlines(),
        "```",
    ]
