"""The checks of the architecture gate, in the order they run.

A check is one function from the `Codebase` to a list of `Violation`s. To add one, write
the function in its own module and list it here: the command runs it, times it, reports
it in every format and lets the ratchet tolerate what it finds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from shop.platform.architecture.checks.config import check_generated_files
from shop.platform.architecture.checks.docs import check_docs
from shop.platform.architecture.checks.imports import check_imports
from shop.platform.architecture.checks.orm_relations import check_orm_relations
from shop.platform.architecture.checks.public_names import check_public_names
from shop.platform.architecture.checks.string_references import check_string_references
from shop.platform.architecture.checks.table_ownership import check_table_ownership
from shop.platform.architecture.codebase import Codebase
from shop.platform.architecture.violations import Violation


@dataclass(frozen=True)
class Check:
    """A named rule: `id` keys reports, SARIF rules and ratchet entries."""

    id: str
    title: str
    run: Callable[[Codebase], list[Violation]]


CHECKS: tuple[Check, ...] = (
    Check("config", "Generated files match the architecture declaration", check_generated_files),
    Check("imports", "Import contracts (import-linter)", check_imports),
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
    Check("docs", "Generated architecture docs match the code", check_docs),
)
