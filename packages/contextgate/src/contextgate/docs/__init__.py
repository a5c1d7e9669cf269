"""Architecture docs generated from the code, so they cannot drift from it.

``manage.py contextgate_docs --write`` writes them to the declaration's ``docs_dir``;
``manage.py contextgate_docs`` fails while any is stale (docs/generated-docs.md):

- ``context-map.md``: contexts, allowed and actual dependencies, event flows (Mermaid);
- ``events.md``: every event type and version with its JSON Schema, publisher, subscribers;
- ``asyncapi.yaml``: the same as an AsyncAPI 3.0 document;
- ``contexts/<context>.md``: one canvas per context (domain, api, events, tables).

`facts` gathers what they say: the declaration and the parsed source, the models, the
database router, and the events from the project's hook (`catalogue`). One module
renders each file. Output is sorted and has no timestamps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from contextgate.docs import asyncapi, canvas, catalogue, context_map, events_page
from contextgate.docs.facts import Facts, gather, store_aliases
from contextgate.project import Project


@dataclass(frozen=True, order=True)
class Stale:
    """A generated file that differs from the code: its name in the docs folder, the
    first line that differs (1 for a missing or leftover file), and what is wrong."""

    name: str
    line: int
    problem: str
    committed: str | None = None  # the line as it is, and as the code generates it
    generated: str | None = None


def docs_dir(project: Project) -> Path | None:
    """Where the docs go, or None when the declaration asks for none."""
    declared = project.declaration.docs_dir
    return None if declared is None else project.path / declared


def generate(project: Project) -> dict[str, str]:
    """Every file, from a project in Django mode: its hook's catalogue, its router's
    aliases."""
    return render(gather(project, catalogue.load(project), store_aliases))


def render(facts: Facts) -> dict[str, str]:
    """Every generated file by path relative to the docs folder, and its text."""
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


def compare(folder: Path, expected: dict[str, str]) -> list[Stale]:
    """Every file in `folder` that is not what the code generates, and every leftover."""
    found = []
    for name, text in expected.items():
        path = folder / name
        if not path.is_file():
            found.append(Stale(name, 1, "is missing"))
            continue
        actual = path.read_text()
        if actual != text:
            old, new = actual.splitlines(), text.splitlines()
            line = _first_difference(old, new)
            found.append(
                Stale(
                    name,
                    line,
                    f"is stale (first difference at line {line})",
                    _line(old, line),
                    _line(new, line),
                )
            )
    found += [
        Stale(name, 1, "describes no declared context") for name in leftovers(folder, expected)
    ]
    return sorted(found)


def write(folder: Path, expected: dict[str, str]) -> list[Path]:
    """Write every generated file that changed, remove leftovers; the paths touched."""
    touched = []
    for name, text in expected.items():
        path = folder / name
        if not path.is_file() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            touched.append(path)
    for name in leftovers(folder, expected):
        (folder / name).unlink()
        touched.append(folder / name)
    return touched


def _first_difference(old: list[str], new: list[str]) -> int:
    for number, (a, b) in enumerate(zip(old, new, strict=False), start=1):
        if a != b:
            return number
    return min(len(old), len(new)) + 1  # one ends first, or only line endings differ


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1] if number <= len(lines) else "(end of file)"
