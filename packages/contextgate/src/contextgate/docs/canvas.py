"""``contexts/<context>.md``: one page per context (a "canvas", as Spring
Modulith calls it): its store and tables, domain classes, api, and the events it
publishes and consumes."""

from __future__ import annotations

from contextgate.docs.facts import Context, Facts, domain_layer
from contextgate.docs.markdown import NO_CATALOGUE, NONE, cell, code, generated_notice, table
from contextgate.docs.sources import DataClass

FOLDER = "contexts"


def filename(context: Context) -> str:
    return f"{FOLDER}/{context.name}.md"


def render(facts: Facts, context: Context) -> str:
    layer = domain_layer(facts.declaration)
    lines = [
        *generated_notice(f"What the {context.name} context is made of and how it talks."),
        "",
        f"# {context.name}",
        "",
        *table(
            ["", ""],
            [
                ["package", code(context.package)],
                ["store alias", cell(", ".join(code(a) for a in context.aliases))],
                [
                    "public modules",
                    ", ".join(
                        code(f"{context.package}.{m}") for m in facts.declaration.public_modules
                    ),
                ],
                ["map", "[context map](../context-map.md)"],
            ],
        ),
        "",
        f"## Domain model ({code(f'{context.package}.{layer}')})",
        "",
        *_classes(context.domain, f"No dataclasses in the {layer} package."),
        "",
        "## Api",
        "",
        *(
            [f"- {code(f.signature)}: {f.summary or NONE}" for f in context.api]
            or ["Publishes no functions."]
        ),
    ]
    if context.api_types:
        lines += ["", "Types it returns:", "", *_classes(context.api_types, "")]
    lines += ["", *_uses(facts, context), "", *_events(facts, context), "", *_tables(context)]
    return "\n".join(lines) + "\n"


def _classes(classes: tuple[DataClass, ...], empty: str) -> list[str]:
    if not classes:
        return [empty]
    return table(
        ["class", "fields", "what it is"],
        [
            [
                f"{code(c.name)} ({code(c.module)})",
                "<br>".join(cell(code(f)) for f in c.fields) or NONE,
                cell(c.summary),
            ]
            for c in classes
        ],
    )


def _uses(facts: Facts, context: Context) -> list[str]:
    rows = [
        ["uses", f"{u.imported}.{u.module}", cell(", ".join(code(n) for n in u.names))]
        for u in facts.uses
        if u.importer == context.name
    ] + [
        ["used by", f"{u.importer} ({u.module})", cell(", ".join(code(n) for n in u.names))]
        for u in facts.uses
        if u.imported == context.name
    ]
    return [
        "## Dependencies",
        "",
        *(table(["", "context", "names"], rows) if rows else ["None, either way."]),
    ]


def _events(facts: Facts, context: Context) -> list[str]:
    if facts.catalogue is None:
        return ["## Events", "", NO_CATALOGUE]
    published = [
        [
            code(e.type),
            str(e.version),
            cell(e.summary),
            cell(
                ", ".join(
                    f"{li.context}: {code(li.handler)}"
                    for li in facts.listeners_of(e.type, e.version)
                )
            ),
        ]
        for e in facts.published_by(context.name)
    ]
    consumed = [
        [code(li.type), str(li.version), facts.publisher(li.type), code(li.handler)]
        for li in facts.listeners_in(context.name)
    ]
    return [
        "## Events published",
        "",
        *(
            table(["event", "version", "what happened", "handled by"], published)
            if published
            else ["None."]
        ),
        "",
        "## Events consumed",
        "",
        *(table(["event", "version", "publisher", "handler"], consumed) if consumed else ["None."]),
    ]


def _tables(context: Context) -> list[str]:
    return [
        "## Tables",
        "",
        f"In the store of alias {', '.join(code(a) for a in context.aliases) or NONE}:",
        "",
        *([f"- {code(t)}" for t in context.tables] or ["None."]),
    ]
