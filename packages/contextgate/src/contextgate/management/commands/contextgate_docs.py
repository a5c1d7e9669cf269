"""Check: the generated architecture docs match the code they are generated from.

The context map, the event catalogue, the AsyncAPI document and the context canvases
are written by ``check_architecture --write-docs``; a hand edit, or code changed without
regenerating (a new subscription, event, api function, table), fails here, naming the
file. Runs only when the declaration sets ``docs_dir``.
"""

from __future__ import annotations

from shop.platform.architecture import docs
from shop.platform.architecture.checks.config import first_difference
from shop.platform.architecture.codebase import Codebase
from shop.platform.architecture.violations import PROJECT, Violation

REGENERATE = "python manage.py check_architecture --write-docs"


def check_docs(codebase: Codebase) -> list[Violation]:
    folder = docs.docs_dir(codebase)
    if folder is None:
        return []
    expected = docs.render(codebase)
    found = []
    for name, text in expected.items():
        path = folder / name
        actual = path.read_text() if path.exists() else None
        if actual == text:
            continue
        line = 1 if actual is None else first_difference(actual, text)
        problem = "is missing" if actual is None else f"is stale (first difference at line {line})"
        found.append(_stale(codebase, path, line, f"{codebase.relpath(path)} {problem}"))
    for name in docs.leftovers(folder, expected):
        path = folder / name
        found.append(
            _stale(codebase, path, 1, f"{codebase.relpath(path)} describes no declared context")
        )
    return found


def _stale(codebase: Codebase, path, line: int, problem: str) -> Violation:
    return Violation(
        check="docs",
        context=PROJECT,
        file=codebase.relpath(path),
        line=line,
        importer=codebase.relpath(path),
        imported="the code",
        message=f"{problem}: the generated architecture docs differ from the code.",
        hint=f"Do not edit generated docs: run `{REGENERATE}` and commit the result.",
    )
