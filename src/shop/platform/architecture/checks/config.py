"""Check: generated files match the declaration they are generated from.

``importlinter.ini`` is derived from the architecture declaration; a hand edit, or a new
context declared without regenerating, would let ``lint-imports`` check other contracts
than the gate does.
"""

from __future__ import annotations

from django.conf import settings

from shop.platform.architecture import importlinter_config
from shop.platform.architecture.codebase import Codebase
from shop.platform.architecture.declaration import SETTING
from shop.platform.architecture.violations import PROJECT, Violation

REGENERATE = "python manage.py check_architecture --write-importlinter"


def expected_importlinter_config(codebase: Codebase) -> str:
    return importlinter_config.render(codebase.architecture, source=settings.SETTINGS_MODULE)


def check_generated_files(codebase: Codebase) -> list[Violation]:
    name = codebase.architecture.importlinter_config
    path = codebase.workdir / name
    expected = expected_importlinter_config(codebase)
    actual = path.read_text() if path.exists() else None
    if actual == expected:
        return []
    if actual is None:
        line, problem = 1, "is missing"
    else:
        line, problem = first_difference(actual, expected), "differs from what"
        problem += f" {SETTING} generates"
    return [
        Violation(
            check="config",
            context=PROJECT,
            file=codebase.relpath(path),
            line=line,
            importer=name,
            imported=SETTING,
            message=f"{name} {problem} (first difference at line {line}).",
            hint=f"Change {SETTING}, not the generated file, then run `{REGENERATE}`.",
        )
    ]


def first_difference(actual: str, expected: str) -> int:
    old, new = actual.splitlines(), expected.splitlines()
    for number, (a, b) in enumerate(zip(old, new, strict=False), start=1):
        if a != b:
            return number
    return min(len(old), len(new)) + 1
