"""table-ownership: a context touches only its own tables, in code and in migrations.

Each context's store holds its tables alone: on PostgreSQL its role cannot even see the
others' schemas. So SQL written by hand (``cursor.execute``, ``.raw()``, ``.extra()``,
``RunSQL``) may name only the context's own tables (taken from its models' db_table) and
no other context's schema (``billing.``), and a migration may neither depend on another
app's migrations nor load another context's models through ``apps.get_model``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from contextgate.project import Project, SourceFile
from contextgate.syntax import argument, call_name, string, strings_in
from contextgate.violations import Violation

SQL_CALLS = frozenset({"execute", "executemany", "raw", "extra", "RunSQL"})
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
SQL_HINT = (
    "Query only your own context's tables. Ask the owner through its api, or keep a local "
    "read model fed by its events."
)


def check_table_ownership(project: Project) -> list[Violation]:
    found = []
    for source in project.relevant:
        found += _foreign_sql(project, source)
        if source.is_migration:
            found += _foreign_dependencies(project, source)
            found += _foreign_models_loaded(project, source)
    return found


def _foreign_sql(project: Project, source: SourceFile) -> Iterator[Violation]:
    contexts = [c for c in project.declaration.labels if c != source.context]
    tables = {
        table: context for context in contexts for table in project.models.tables.get(context, ())
    }
    schema = re.compile(
        r'(?<![\w.$"])"?(' + "|".join(map(re.escape, contexts)) + r')"?\s*\.\s*"?[A-Za-z_]',
        re.IGNORECASE,
    )
    calls = [call for call in source.nodes(ast.Call) if call_name(call) in SQL_CALLS]
    constants = _string_constants(source) if calls else {}
    for call in calls:
        for literal, text in _sql_texts(call, constants):
            named = {
                (f"table {token.lower()}", tables[token.lower()])
                for token in IDENTIFIER.findall(text)
                if token.lower() in tables
            }
            if contexts:
                named |= {(f"schema {m.lower()}", m.lower()) for m in schema.findall(text)}
            for what, owner in sorted(named):
                yield Violation.in_source(
                    "table-ownership",
                    source,
                    literal.lineno,
                    imported=what,
                    message=f"SQL in {source.module} ({call_name(call)}) names {what}, "
                    f"which belongs to {owner}.",
                    hint=SQL_HINT,
                )


def _sql_texts(
    call: ast.Call, constants: dict[str, list[ast.Constant]]
) -> Iterator[tuple[ast.Constant, str]]:
    """Every string literal passed to the call, and those of names it passes that the file
    assigns a literal to (``sql = "..."; cursor.execute(sql)``)."""
    for expr in [*call.args, *(k.value for k in call.keywords)]:
        for literal in strings_in(expr):
            yield literal, literal.value
        for name in (n for n in ast.walk(expr) if isinstance(n, ast.Name)):
            for literal in constants.get(name.id, []):
                yield literal, literal.value


def _string_constants(source: SourceFile) -> dict[str, list[ast.Constant]]:
    found: dict[str, list[ast.Constant]] = {}
    for node in source.nodes(ast.Assign):
        if len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                found.setdefault(target.id, []).extend(strings_in(node.value))
    return found


def _migration_label(project: Project, source: SourceFile) -> str | None:
    return source.context or project.models.label_of(source.module)


def _crosses(project: Project, own: str | None, other: str) -> bool:
    """Whether a migration of app `own` reaching app `other` crosses a context's store."""
    contexts = project.declaration.labels
    return other != own and (own in contexts or other in contexts)


def _foreign_dependencies(project: Project, source: SourceFile) -> Iterator[Violation]:
    own = _migration_label(project, source)
    for node in source.nodes(ast.Assign):
        if not any(
            isinstance(t, ast.Name) and t.id in {"dependencies", "run_before"} for t in node.targets
        ):
            continue
        if not isinstance(node.value, ast.List | ast.Tuple):
            continue
        for element in node.value.elts:
            label, name = _dependency(element)
            if label is None or not _crosses(project, own, label):
                continue
            yield Violation.in_source(
                "table-ownership",
                source,
                element.lineno,
                imported=f"migration {label}.{name}",
                message=f"Migration {source.module} depends on {label}'s migration {name}: "
                f"{label} lives in another store, so the migration graph crosses it.",
                hint="Drop the dependency: a migration of one store cannot wait for another. "
                "Replace relations into that app with id fields.",
            )


def _dependency(element: ast.expr) -> tuple[str | None, str]:
    if isinstance(element, ast.Tuple) and len(element.elts) == 2:
        return string(element.elts[0]), string(element.elts[1]) or "?"
    if isinstance(element, ast.Call) and call_name(element) == "swappable_dependency":
        return "auth", "(swappable AUTH_USER_MODEL)"
    return None, ""


def _foreign_models_loaded(project: Project, source: SourceFile) -> Iterator[Violation]:
    own = _migration_label(project, source)
    for call in source.nodes(ast.Call):
        if call_name(call) != "get_model":
            continue
        model = model_label(call)
        if model is None or not _crosses(project, own, model.partition(".")[0]):
            continue
        yield Violation.in_source(
            "table-ownership",
            source,
            call.lineno,
            imported=f"model {model}",
            message=f"Migration {source.module} loads {model} with apps.get_model: a data "
            "migration of one store cannot read or write another's tables.",
            hint="Move the data through the owner: its own migration, or its api / events.",
        )


def model_label(call: ast.Call) -> str | None:
    """``billing.InvoiceRecord`` from ``get_model("billing", "InvoiceRecord")`` or
    ``get_model("billing.InvoiceRecord")``; None when the label is not a literal."""
    first = string(argument(call, 0, "app_label"))
    if first is None:
        return None
    if "." in first:
        return first
    second = string(argument(call, 1, "model_name"))
    return f"{first}.{second or '?'}"
