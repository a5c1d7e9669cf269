"""string-references: Django's string references do not reach into another context.

An import is not the only way in: Django also resolves dotted strings and app labels at
run time, where no import graph sees them. ``include("acme.billing.rest.urls")`` from
another context mounts its private views; ``apps.get_model("billing", ...)`` hands out
its models; a signal receiver on another context's model couples to its internal saves.
Only the composition root may include a context's urls. Data migrations are table-ownership's.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from contextgate.checks.table_ownership import model_label
from contextgate.project import Project, SourceFile
from contextgate.syntax import argument, call_name, keyword, string
from contextgate.violations import Violation


def check_string_references(project: Project) -> list[Violation]:
    found = []
    for source in project.relevant:
        for call in source.nodes(ast.Call):
            kind = call_name(call)
            if kind == "include" and not project.declaration.is_composition_root(source.module):
                found += _include(project, source, call)
            elif kind == "get_model" and not source.is_migration:
                found += _get_model(project, source, call)
            elif kind in {"receiver", "connect"}:
                found += _receiver(project, source, call, kind)
    return found


def _violation(source: SourceFile, node: ast.AST, imported: str, message: str, hint: str):
    return Violation.in_source(
        "string-references",
        source,
        node.lineno,
        imported=imported,
        message=message,
        hint=hint,
    )


def _include(project: Project, source: SourceFile, call: ast.Call) -> Iterator[Violation]:
    target = argument(call, 0, "arg")
    if isinstance(target, ast.Tuple) and target.elts:
        target = target.elts[0]
    module = string(target)
    context = project.declaration.context_of(module) if module else None
    if context and context != source.context:
        yield _violation(
            source,
            call,
            f"urls {module}",
            f"{source.module} includes {module}, the urls of {context}.",
            f"Only the composition root ({project.declaration.composition_root}) mounts a "
            "context's urls. To offer an endpoint, call the other context's api from a view of "
            "your own.",
        )


def _get_model(project: Project, source: SourceFile, call: ast.Call) -> Iterator[Violation]:
    model = model_label(call)
    context = project.declaration.context_of_label(model.partition(".")[0]) if model else None
    if context and context != source.context:
        yield _violation(
            source,
            call,
            f"model {model}",
            f"{source.module} looks up {model} by name: a model of {context}.",
            f"Call {context}'s api instead; models never leave their context.",
        )


def _receiver(
    project: Project, source: SourceFile, call: ast.Call, kind: str
) -> Iterator[Violation]:
    sender = keyword(call, "sender") if kind == "receiver" else argument(call, 1, "sender")
    if sender is None:
        return
    label = string(sender)
    if label is not None:
        context = project.declaration.context_of_label(label.partition(".")[0])
    else:
        resolved = source.resolve(sender)
        context = project.declaration.context_of(resolved) if resolved else None
        label = resolved
    if context and context != source.context:
        yield _violation(
            source,
            call,
            f"sender {label}",
            f"{source.module} receives signals sent by {label}, which belongs to {context}.",
            f"React to {context}'s integration events instead: its model signals are internal, "
            "fire only in its own process and store, and change without notice.",
        )
