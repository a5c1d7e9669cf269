"""Check 2: other contexts use only the names a context publishes, and get no ORM objects.

Importing ``shop.billing.api`` is allowed (check 1); this check looks at what is taken from
it. Only names in ``__all__`` of a public module are its contract: anything else there (a
helper, an imported model) can change without notice. And a public function must not
hand out model instances or QuerySets: they drag the owner's store and schema along.
The annotations are checked here; a test calls every public function to check the values
(`shop.platform.architecture.leaks`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from shop.platform.architecture.codebase import Codebase, SourceFile
from shop.platform.architecture.syntax import absolute_module, declared_all, names_in
from shop.platform.architecture.violations import Violation

ORM_TYPES = frozenset({"Model", "QuerySet", "RawQuerySet", "Manager", "BaseManager"})


def check_public_names(codebase: Codebase) -> list[Violation]:
    found = []
    for source in codebase.files.values():
        found += _uses_of_unpublished_names(codebase, source)
    for context in codebase.architecture.contexts:
        for module in codebase.public_modules_of(context):
            if module in codebase.files:
                found += _orm_returns(codebase, codebase.files[module], context)
    return found


def _uses_of_unpublished_names(codebase: Codebase, source: SourceFile) -> Iterator[Violation]:
    for node in source.nodes(ast.ImportFrom, ast.Attribute):
        if isinstance(node, ast.ImportFrom):
            module = absolute_module(node, source.module, source.is_package)
            for alias in node.names:
                if alias.name != "*":
                    yield from _unpublished(codebase, source, node, module, alias.name)
        elif isinstance(node, ast.Attribute):
            module = source.resolve(node.value)
            if module is not None:
                yield from _unpublished(codebase, source, node, module, node.attr)


def _unpublished(
    codebase: Codebase, source: SourceFile, node: ast.AST, module: str, name: str
) -> Iterator[Violation]:
    """A violation if `module` is another context's public module and `name` not in its
    __all__ (a submodule of a public package is a module, not a name, and passes)."""
    if module not in codebase.declared_all or f"{module}.{name}" in codebase.files:
        return
    owner = codebase.architecture.context_of(module)
    if owner is None or owner == source.context:
        return
    published = codebase.declared_all[module]
    if published is not None and name in published:
        return
    listed = "declares no __all__" if published is None else "does not list it in __all__"
    yield Violation(
        check="public-names",
        context=source.owner,
        file=source.relpath,
        line=node.lineno,
        importer=source.module,
        imported=f"{module}.{name}",
        message=f"{source.module} uses {module}.{name}, but {module} {listed}.",
        hint=f"Use only what {module} publishes in __all__. If {owner} should offer "
        f"{name}, its team adds it to __all__ (returning frozen DTOs, not models).",
    )


def _orm_returns(codebase: Codebase, source: SourceFile, context: str) -> Iterator[Violation]:
    """Public functions whose return annotation names a model, a QuerySet or a manager."""
    published = declared_all(source.tree)
    forbidden = ORM_TYPES | codebase.models.names.get(context, frozenset())
    for node in source.tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or node.returns is None:
            continue
        if node.name.startswith("_") or (published is not None and node.name not in published):
            continue
        mentioned = {_original_name(source, name) for name in names_in(node.returns)}
        leaked = sorted(mentioned & forbidden)
        if leaked:
            yield Violation(
                check="public-names",
                context=context,
                file=source.relpath,
                line=node.returns.lineno,
                importer=f"{source.module}.{node.name}",
                imported=", ".join(leaked),
                message=f"{source.module}.{node.name} is annotated to return "
                f"{', '.join(leaked)}: an ORM object leaves {context}.",
                hint="Return a frozen dataclass (or plain values) built from the model inside "
                "the context; callers must not see models, managers or QuerySets.",
            )


def _original_name(source: SourceFile, name: str) -> str:
    """The imported name behind a local alias (``InvoiceRecord as Invoice`` -> InvoiceRecord)."""
    target = source.aliases.get(name)
    return target.rpartition(".")[2] if target else name
