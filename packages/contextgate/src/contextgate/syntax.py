"""Small readers over Python's `ast` that the checks share.

The checks look at code without running it, so they can point at a file and line. Names
are resolved through the imports of the same file only: enough to tell which package a
name comes from, which is all a boundary check needs.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator


def absolute_module(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The module a ``from ... import`` reads from, with relative imports made absolute."""
    if not node.level:
        return node.module or ""
    package = module if is_package else module.rpartition(".")[0]
    parts = package.split(".")
    base = ".".join(parts[: len(parts) - (node.level - 1)])
    return f"{base}.{node.module}" if node.module else base


def import_aliases(
    imports: Iterable[ast.Import | ast.ImportFrom], module: str, is_package: bool
) -> dict[str, str]:
    """Each local name bound by the imports of a file, and the dotted name it stands for:
    ``from acme.billing import api as b`` binds ``b`` to ``acme.billing.api``."""
    aliases: dict[str, str] = {}
    for node in imports:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    top = alias.name.partition(".")[0]
                    aliases[top] = top
        elif isinstance(node, ast.ImportFrom):
            source = absolute_module(node, module, is_package)
            for alias in node.names:
                if alias.name != "*":
                    aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
    return aliases


def dotted(expr: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names and attributes, None for anything else."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        base = dotted(expr.value)
        return None if base is None else f"{base}.{expr.attr}"
    return None


def resolve(expr: ast.AST, aliases: dict[str, str]) -> str | None:
    """The absolute dotted name an expression refers to through the file's imports, or None
    when its first name was not imported (a local, a builtin, a parameter)."""
    name = dotted(expr)
    if name is None:
        return None
    first, _, rest = name.partition(".")
    if first not in aliases:
        return None
    return f"{aliases[first]}.{rest}" if rest else aliases[first]


def call_name(call: ast.Call) -> str | None:
    """The last name of what is called: ``include`` for ``urls.include(...)``."""
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    """A call's argument given by position or by keyword."""
    if len(call.args) > position and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    return keyword(call, name)


def string(expr: ast.AST | None) -> str | None:
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    return None


def strings_in(expr: ast.AST) -> Iterator[ast.Constant]:
    """Every string literal inside an expression, f-string parts included."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node


def declared_all(tree: ast.Module) -> tuple[str, ...] | None:
    """The names in a module's literal ``__all__``, or None if it declares none we can read."""
    names: list[str] | None = None
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                continue
            if not isinstance(node.value, ast.List | ast.Tuple):
                return None
            values = [string(element) for element in node.value.elts]
            if any(value is None for value in values):
                return None
            names = (names or []) + values if isinstance(node, ast.AugAssign) else values
    return None if names is None else tuple(names)


def names_in(expr: ast.AST) -> set[str]:
    """Every bare name and attribute name an annotation mentions, string annotations too."""
    found: set[str] = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            try:
                found |= names_in(ast.parse(node.value, mode="eval"))
            except SyntaxError:
                continue
    return found
