"""docs/architecture/context-map.md: the contexts, what they may use of each other, what
they do use (imports of public modules, with the names taken), and the event flows."""

from __future__ import annotations

from itertools import combinations

from shop.platform.architecture.docs.facts import Facts
from shop.platform.architecture.docs.markdown import (
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
    rows = []
    for context in facts.contexts:
        published = {e.type for e in facts.published_by(context.name)}
        consumed = {li.event_type for li in facts.listeners_in(context.name)}
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
        *generated_notice(
            f"The contexts of `{facts.architecture.root}` and how they depend on each other."
        ),
        "",
        "# Context map",
        "",
        f"Contexts come from {facts.settings_module}; each has its own store (database "
        "alias). Events: [events.md](events.md), [asyncapi.yaml](asyncapi.yaml).",
        "",
        *table(["context", "store alias", "tables", "publishes", "listens to"], rows),
    ]


def _dependencies(facts: Facts) -> list[str]:
    names = [c.name for c in facts.contexts]
    lines = ["", "## Dependencies", ""]
    lines += [
        f"Allowed (dotted): every context may use the public modules ({facts.public_modules}) "
        "of every other context, and only those (`check_architecture` enforces it). "
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
    lines += [
        "Publisher -> event type -> subscriber, from the events each context declares and "
        "the subscriptions registered on the event bus.",
        "",
        "```mermaid",
        "flowchart LR",
        *(f"    {node_id('ctx', c.name)}[{label(c.name)}]" for c in facts.contexts),
    ]
    flows = sorted(
        {(e.source, e.type, e.version) for e in facts.events}
        | {(_publisher(facts, li.event_type), li.event_type, li.version) for li in facts.listeners}
    )
    rows = []
    for source, event_type, version in flows:
        event = node_id("ev", f"{event_type}_v{version}")
        lines.append(f"    {event}([{label(f'{event_type} v{version}')}])")
        lines.append(f"    {node_id('ctx', source)} --> {event}")
        handlers = [
            li for li in facts.listeners if (li.event_type, li.version) == (event_type, version)
        ]
        for subscriber in sorted({li.context for li in handlers}):
            lines.append(f"    {event} --> {node_id('ctx', subscriber)}")
        rows += [
            [source, code(event_type), str(version), li.context, code(li.handler)]
            for li in handlers
        ] or [[source, code(event_type), str(version), NONE, NONE]]
    lines += ["```", ""]
    lines += table(["publisher", "event", "version", "subscriber", "handler"], rows)
    return lines


def _publisher(facts: Facts, event_type: str) -> str:
    """The declared source of an event type (its prefix when no class declares it here)."""
    declared = next((e.source for e in facts.events if e.type == event_type), None)
    return declared or event_type.partition(".")[0]
