"""Check 3: no model relation crosses a context boundary (docs/design.md §3).

Two views of the same rule. The source view finds relation fields as written, string
references (``"billing.InvoiceRecord"``) and ``settings.AUTH_USER_MODEL`` included, with
their file and line. The runtime view asks Django's app registry, so a field added by a
mixin, an abstract base or a helper is caught too; each runtime finding is reported at
the line that defines the field when the source view can find it. Migrations are left
out: they record history, and a relation removed from the models is gone.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps

from shop.platform.architecture.codebase import Codebase, SourceFile
from shop.platform.architecture.relations import CrossContextRelation, cross_context_relations
from shop.platform.architecture.syntax import argument, call_name, dotted, string
from shop.platform.architecture.violations import Violation

RELATION_FIELDS = frozenset(
    {"ForeignKey", "OneToOneField", "ManyToManyField", "ForeignObject", "GenericRelation"}
)
GENERIC = "GenericForeignKey"
HINT = (
    "Keep the other context's id in a plain field (order_id = CharField(...)) instead of a "
    "relation; read what you need through its api, or keep a local copy fed by its events."
)

Key = tuple[str, str, str]  # module, class, field


def check_orm_relations(codebase: Codebase) -> list[Violation]:
    found: dict[Key, Violation] = {}
    for source in codebase.files.values():
        if source.context and not source.is_migration:
            for key, violation in _declared_relations(codebase, source):
                found[key] = violation
    installed = [
        m for m in apps.get_models() if m._meta.app_label in codebase.architecture.contexts
    ]
    for relation in cross_context_relations(installed, contexts=codebase.architecture.contexts):
        key, file, line = _definition(codebase, relation)
        target = relation.target or "any context"
        known = found.get(key)
        found[key] = Violation(
            check="orm-relations",
            context=relation.model._meta.app_label,
            file=known.file if known else file,
            line=known.line if known else line,
            importer=".".join(key),
            imported=target,
            message=f"{relation} crosses from {relation.model._meta.app_label} into "
            + ("another store." if relation.target else "whatever it is pointed at."),
            hint=HINT,
        )
    return list(found.values())


def _declared_relations(codebase: Codebase, source: SourceFile) -> Iterator[tuple[Key, Violation]]:
    for model in source.nodes(ast.ClassDef):
        for statement in model.body:
            if not isinstance(statement, ast.Assign | ast.AnnAssign):
                continue
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            call = statement.value
            if not isinstance(call, ast.Call) or not isinstance(targets[0], ast.Name):
                continue
            target = _foreign_target(codebase, source, call)
            if target is None:
                continue
            key = (source.module, model.name, targets[0].id)
            yield (
                key,
                Violation(
                    check="orm-relations",
                    context=source.owner,
                    file=source.relpath,
                    line=statement.lineno,
                    importer=".".join(key),
                    imported=target,
                    message=f"{model.name}.{targets[0].id} ({call_name(call)}) points at {target}, "
                    f"outside {source.context}.",
                    hint=HINT,
                ),
            )


def _foreign_target(codebase: Codebase, source: SourceFile, call: ast.Call) -> str | None:
    """What a relation field points at, if that is outside the file's context."""
    kind = call_name(call)
    if kind == GENERIC:
        return "any context"
    if kind not in RELATION_FIELDS:
        return None
    to = argument(call, 0, "to")
    if to is None:
        return None
    label = string(to)
    if label is not None:
        app, dot, _ = label.rpartition(".")
        return label if dot and app != source.context else None
    name = dotted(to) or ""
    if name.endswith("AUTH_USER_MODEL"):
        return "settings.AUTH_USER_MODEL"
    resolved = source.resolve(to)
    if resolved is None or codebase.architecture.context_of(resolved) == source.context:
        return None
    return resolved


def _definition(codebase: Codebase, relation: CrossContextRelation) -> tuple[Key, str, int]:
    """Where a field is defined: the class in the model's ancestry whose body assigns it."""
    for klass in relation.model.__mro__:
        source = codebase.files.get(klass.__module__)
        if source is None:
            continue
        for node in source.nodes(ast.ClassDef):
            if node.name == klass.__name__:
                for statement in node.body:
                    if _assigns(statement, relation.field):
                        key = (source.module, klass.__name__, relation.field)
                        return key, source.relpath, statement.lineno
    model = relation.model
    try:
        path, line = inspect.getsourcefile(model), inspect.getsourcelines(model)[1]
    except (OSError, TypeError):
        path, line = None, 1
    file = codebase.relpath(Path(path)) if path else model.__module__
    return (model.__module__, model.__name__, relation.field), file, line


def _assigns(statement: ast.stmt, name: str) -> bool:
    if isinstance(statement, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
    if isinstance(statement, ast.AnnAssign):
        return isinstance(statement.target, ast.Name) and statement.target.id == name
    return False
