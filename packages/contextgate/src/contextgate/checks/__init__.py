"""The checks, in the order they run.

A check is one function from the `Project` to a list of `Violation`s, in a module of its
own with its canary test. To add one, list it here: both modes run it, time it, report it
in every format and let the ratchet tolerate what it finds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from contextgate.checks.imports import check_imports
from contextgate.checks.orm_relations import check_orm_relations
from contextgate.checks.public_names import check_public_names
from contextgate.checks.string_references import check_string_references
from contextgate.checks.table_ownership import check_table_ownership
from contextgate.project import Project
from contextgate.violations import Violation


@dataclass(frozen=True)
class Check:
    """A named rule: `id` keys reports, SARIF rules and ratchet entries."""

    id: str
    title: str
    run: Callable[[Project], list[Violation]]


CHECKS: tuple[Check, ...] = (
    Check("imports", "Import contracts of importlinter.ini", check_imports),
    Check(
        "public-names",
        "Only published names cross a context, and no ORM objects",
        check_public_names,
    ),
    Check("orm-relations", "No model relation crosses a context", check_orm_relations),
    Check(
        "table-ownership",
        "SQL and migrations touch only the context's own tables",
        check_table_ownership,
    ),
    Check(
        "string-references",
        "No Django string reference into another context",
        check_string_references,
    ),
)
