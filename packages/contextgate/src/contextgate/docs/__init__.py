"""Architecture docs generated from the code, so they cannot drift from it.

`check_architecture --write-docs` writes them to the declaration's ``docs_dir``
(``docs/architecture``); the gate's `docs` check fails while any is stale:

- ``context-map.md``: contexts, allowed and actual dependencies, event flows (Mermaid);
- ``events.md``: every event type and version with its JSON Schema, publisher, subscribers;
- ``asyncapi.yaml``: the same as an AsyncAPI 3.0 document;
- ``contexts/<context>.md``: one canvas per context (domain, api, events, tables).

`facts` gathers what they say (declaration, parsed source, Django, the event bus through
`messaging`); one module renders each file. Output is sorted and has no timestamps.
"""

from __future__ import annotations

from pathlib import Path

from shop.platform.architecture.codebase import Codebase
from shop.platform.architecture.docs import asyncapi, canvas, context_map, events_page
from shop.platform.architecture.docs.facts import gather


def docs_dir(codebase: Codebase) -> Path | None:
    """Where the docs go, or None when the declaration asks for none."""
    folder = codebase.architecture.docs_dir
    return None if folder is None else codebase.workdir / folder


def render(codebase: Codebase) -> dict[str, str]:
    """Every generated file by path relative to the docs folder, and its text."""
    facts = gather(codebase)
    files = {
        context_map.FILENAME: context_map.render(facts),
        events_page.FILENAME: events_page.render(facts),
        asyncapi.FILENAME: asyncapi.render(facts),
    }
    for context in facts.contexts:
        files[canvas.filename(context)] = canvas.render(facts, context)
    return dict(sorted(files.items()))


def leftovers(folder: Path, expected: dict[str, str]) -> list[str]:
    """Canvases of contexts that no longer exist (the only files the generator removes)."""
    pages = folder / canvas.FOLDER
    found = [f"{canvas.FOLDER}/{p.name}" for p in pages.glob("*.md")] if pages.is_dir() else []
    return sorted(name for name in found if name not in expected)


def write(codebase: Codebase) -> list[Path]:
    """Write every generated file that changed, remove leftovers; the paths touched."""
    folder = docs_dir(codebase)
    if folder is None:
        return []
    expected = render(codebase)
    touched = []
    for name, text in expected.items():
        path = folder / name
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            touched.append(path)
    for name in leftovers(folder, expected):
        (folder / name).unlink()
        touched.append(folder / name)
    return touched
