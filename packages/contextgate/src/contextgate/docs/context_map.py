"""``context-map.md``: the contexts, what they may use of each other, what they do use
(imports of public modules, with the names taken), and the event flows."""

from __future__ import annotations

from itertools import combinations

from contextgate.docs.facts import Facts
from contextgate.docs.markdown import (
    NO_CATALOGUE,
    NONE,
    cell,
    code,
    generated_notice,
    label,
    node_id,
    table,
)

FILENAME = "context-map.md"


def render(facts: Facts) -> str:
    return "\n".join([*_head(facts), *_dependencies(facts), *_event_flows(facts)]) + "\n"


def _head(facts: Facts) -> list[str]:
    d = facts.declaration
    rows = []
    for context in facts.contexts:
        published = {e.type for e in facts.published_by(context.name)}
        consumed = {li.type for li in facts.listeners_in(context.name)}
        rows.append(
            [
                f"[{context.name}](contexts/{context.name}.md)",
                cell(", ".join(context.aliases)),
                str(len(context.tables)),
                cell(", ".join(sorted(published))),
                cell(", ".join(sorted(consumed))),
            ]
        )
    return [
        *generated_notice(f"The contexts of `{facts.name}` and how they depend on each other."),
        "",
        "# Context map",
        "",
        f"Contexts come from the `{d.contract_id}` contract in {d.config}; each has its own "
        "store (database alias). Events: [events.md](events.md), [asyncapi.yaml](asyncapi.yaml).",
        "",
        *table(["context", "store alias", "tables", "publishes", "listens to"], rows),
    ]


def _dependencies(facts: Facts) -> list[str]:
    names = [c.name for c in facts.contexts]
    lines = ["", "## Dependencies", ""]
    lines += [
        f"Allowed (dotted): every context may use the public modules ({facts.public_modules}) "
        "of every other context, and only those (the `bounded_contexts` contract enforces it). "
        "Found in the code (solid): which context imports which other context's public "
        "module, labelled with the names it takes.",
        "",
        "```mermaid",
        "flowchart LR",
        *(f"    {node_id('ctx', n)}[{label(n)}]" for n in names),
        *(f"    {node_id('ctx', a)} <-.-> {node_id('ctx', b)}" for a, b in combinations(names, 2)),
    ]
    for use in facts.uses:
        text = f"{use.module}: {', '.join(use.names)}" if use.names else use.module
        lines.append(
            f"    {node_id('ctx', use.importer)} -->|{label(text)}| {node_id('ctx', use.imported)}"
        )
    lines += ["```", ""]
    rows = [
        [
            use.importer,
            use.imported,
            code(use.module),
            cell(", ".join(code(n) for n in use.names)),
            cell(", ".join(code(m) for m in use.where)),
        ]
        for use in facts.uses
    ]
    if rows:
        lines += table(["from", "to", "through", "names used", "in"], rows)
    else:
        lines.append("No context uses another context's public modules.")
    return lines


def _event_flows(facts: Facts) -> list[str]:
    lines = ["", "## Event flows", ""]
    if facts.catalogue is None:
        return [*lines, NO_CATALOGUE]
    lines += [
        "Publisher -> event type -> subscriber, from the events each context declares and "
        "the subscriptions registered on the event bus.",
        "",
        "```mermaid",
        "flowchart LR",
        *(f"    {node_id('ctx', c.name)}[{label(c.name)}]" for c in facts.contexts),
    ]
    flows = sorted(
        {(e.context, e.type, e.version) for e in facts.events}
        | {(facts.publisher(li.type), li.type, li.version) for li in facts.listeners}
    )
    rows = []
    for source, event_type, version in flows:
        event = node_id("ev", f"{event_type}_v{version}")
        lines.append(f"    {event}([{label(f'{event_type} v{version}')}])")
        lines.append(f"    {node_id('ctx', source)} --> {event}")
        handlers = facts.listeners_of(event_type, version)
        for subscriber in sorted({li.context for li in handlers}):
            lines.append(f"    {event} --> {node_id('ctx', subscriber)}")
        rows += [
            [source, code(event_type), str(version), li.context, code(li.handler)]
            for li in handlers
        ] or [[source, code(event_type), str(version), NONE, NONE]]
    lines += ["```", ""]
    lines += table(["publisher", "event", "version", "subscriber", "handler"], rows)
    return lines
