"""public-names: other contexts use only the names a context publishes, and get no ORM objects.

Importing ``acme.billing.api`` is allowed (the imports check); this check looks at what
is taken from it. Only names in a literal ``__all__`` of a public module are its contract:
anything else there (a helper, an imported model) can change without notice, and an
``__all__`` built by code cannot be read without running it. A public function must not
hand out model instances or QuerySets either: they drag the owner's store and schema
along. The return annotations are checked here; what a function really returns is for a
test of the project's to check.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from contextgate.project import Project, SourceFile
from contextgate.syntax import absolute_module, declared_all, names_in
from contextgate.violations import Violation

ORM_TYPES = frozenset({"Model", "QuerySet", "RawQuerySet", "Manager", "BaseManager"})


def check_public_names(project: Project) -> list[Violation]:
    found = []
    for source in project.relevant:
        found += _uses_of_unpublished_names(project, source)
    for context in project.declaration.labels:
        for module in project.declaration.public_modules_of(context):
            if module in project.files:
                found += _orm_returns(project, project.files[module], context)
    return found


def _uses_of_unpublished_names(project: Project, source: SourceFile) -> Iterator[Violation]:
    for node in source.nodes(ast.ImportFrom, ast.Attribute):
        if isinstance(node, ast.ImportFrom):
            module = absolute_module(node, source.module, source.is_package)
            for alias in node.names:
                if alias.name != "*":
                    yield from _unpublished(project, source, node, module, alias.name)
        elif isinstance(node, ast.Attribute):
            module = source.resolve(node.value)
            if module is not None:
                yield from _unpublished(project, source, node, module, node.attr)


def _unpublished(
    project: Project, source: SourceFile, node: ast.AST, module: str, name: str
) -> Iterator[Violation]:
    """A violation if `module` is another context's public module and `name` not in its
    __all__ (a submodule of a public package is a module, not a name, and passes)."""
    if module not in project.declared_all or f"{module}.{name}" in project.files:
        return
    owner = project.declaration.context_of(module)
    if owner is None or owner == source.context:
        return
    published = project.declared_all[module]
    if published is not None and name in published:
        return
    listed = "declares no literal __all__" if published is None else "does not list it in __all__"
    yield Violation.in_source(
        "public-names",
        source,
        node.lineno,
        imported=f"{module}.{name}",
        message=f"{source.module} uses {module}.{name}, but {module} {listed}.",
        hint=f"Use only what {module} publishes in __all__. If {owner} should offer "
        f"{name}, its team adds it to __all__ (returning frozen DTOs, not models).",
    )


def _orm_returns(project: Project, source: SourceFile, context: str) -> Iterator[Violation]:
    """Public functions whose return annotation names a model, a QuerySet or a manager."""
    published = declared_all(source.tree)
    forbidden = ORM_TYPES | project.models.names.get(context, frozenset())
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
