"""Contexts are private by default: only their public modules may be imported from outside.

A deny-list of internals ("nobody imports shop.billing.infrastructure") silently lets
through the next internal module somebody adds. This check is an allow-list instead:
for each container (a context package), every direct import that reaches into it from
outside must land on one of its public modules (``api``, ``events``) or below them.

The check is a plain function over a grimp import graph, so the import-linter contract
and any other tool (a management command, a test) share one definition of the rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, order=True)
class PrivateImport:
    """A direct import from outside a container into one of its private modules."""

    importer: str
    imported: str
    line_numbers: tuple[int | None, ...]

    def __str__(self) -> str:
        lines = ", ".join(f"l.{n}" if n is not None else "l.?" for n in self.line_numbers)
        return f"{self.importer} -> {self.imported} ({lines})"


def is_within(module: str, package: str) -> bool:
    """Whether `module` is `package` itself or one of its descendants."""
    return module == package or module.startswith(package + ".")


def find_private_imports(
    graph: Any, *, containers: Iterable[str], public_modules: Iterable[str]
) -> list[PrivateImport]:
    """Every direct import that reaches into a container other than through its public modules.

    `graph` is a grimp ``ImportGraph``. `containers` are module names (``shop.billing``);
    `public_modules` are names relative to each container (``api``, ``events``). An import
    counts when the imported module is the container or inside it and the importer is
    not: other containers, shared packages and the site alike. The container package
    itself is private too: its ``__init__`` is not a back door.
    """
    public_names = sorted(set(public_modules))
    violations = []
    for container in sorted(set(containers)):
        if container not in graph.modules:
            raise ValueError(f"Container '{container}' does not exist in the import graph.")
        public = [f"{container}.{name}" for name in public_names]
        for imported in sorted({container} | graph.find_descendants(container)):
            if any(is_within(imported, module) for module in public):
                continue
            for importer in sorted(graph.find_modules_that_directly_import(imported)):
                if is_within(importer, container):
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = tuple(sorted({d["line_number"] for d in details}, key=_line_order))
                violations.append(PrivateImport(importer, imported, lines))
    return sorted(violations)


def _line_order(line_number: int | None) -> int:
    return -1 if line_number is None else line_number
