"""Django mode: the models as Django's app registry has them, for the same checks.

The registry knows what the source cannot tell: a swapped ``AUTH_USER_MODEL``, a
``db_table`` computed by code, a field a library adds. Each relation is still reported at
the line that writes it, found in the parsed source along the model's ancestry.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from contextgate.models import Models, Relation
from contextgate.project import Project


def registry_models(project: Project) -> Models:
    from django.apps import apps
    from django.db.models import ForeignObjectRel

    tables: dict[str, set[str]] = {}
    names: dict[str, set[str]] = {}
    for model in apps.get_models(include_auto_created=True):
        tables.setdefault(model._meta.app_label, set()).add(model._meta.db_table.lower())
        if not model._meta.auto_created:
            names.setdefault(model._meta.app_label, set()).add(model.__name__)
    relations = []
    for model in apps.get_models():
        label = model._meta.app_label
        if not project.declaration.is_context(label):
            continue
        for field in model._meta.get_fields(include_parents=False, include_hidden=True):
            if not field.is_relation or isinstance(field, ForeignObjectRel):
                continue
            target = field.related_model
            key, file, line = _definition(project, model, field.name)
            relations.append(
                Relation(
                    label=label,
                    field=key,
                    kind=type(field).__name__,
                    target=None if target is None else target._meta.label,
                    file=file,
                    line=line,
                )
            )
    return Models(
        tables={label: frozenset(t) for label, t in tables.items()},
        names={label: frozenset(n) for label, n in names.items()},
        labels={config.name: config.label for config in apps.get_app_configs()},
        relations=tuple(sorted(set(relations))),
    )


def _definition(project: Project, model: type, name: str) -> tuple[str, str, int]:
    """Where a field is written: the class in the model's ancestry whose body assigns it."""
    for klass in model.__mro__:
        source = project.files.get(klass.__module__)
        if source is None:
            continue
        for node in source.nodes(ast.ClassDef):
            if node.name == klass.__name__:
                for statement in node.body:
                    if _assigns(statement, name):
                        return (
                            f"{source.module}.{node.name}.{name}",
                            source.relpath,
                            statement.lineno,
                        )
    try:
        path, line = inspect.getsourcefile(model), inspect.getsourcelines(model)[1]
    except (OSError, TypeError):
        path, line = None, 1
    file = project.relpath(Path(path)) if path else model.__module__
    return f"{model.__module__}.{model.__name__}.{name}", file, line


def _assigns(statement: ast.stmt, name: str) -> bool:
    if isinstance(statement, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
    if isinstance(statement, ast.AnnAssign):
        return isinstance(statement.target, ast.Name) and statement.target.id == name
    return False
