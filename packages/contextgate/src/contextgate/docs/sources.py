"""What the docs read from the source: uses of other contexts' public modules, each
context's api and its domain classes. From the parsed files, so nothing is imported and
every fact has a file behind it.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass

from contextgate.declaration import is_within
from contextgate.project import Project, SourceFile
from contextgate.syntax import absolute_module, declared_all


@dataclass(frozen=True, order=True)
class Use:
    """Context `importer` uses `module` (another context's public module) in `where`."""

    importer: str
    imported: str
    module: str  # the public module's short name: api, events
    names: tuple[str, ...]
    where: tuple[str, ...]  # importing modules


@dataclass(frozen=True)
class Function:
    name: str
    signature: str
    summary: str


@dataclass(frozen=True)
class DataClass:
    name: str
    module: str
    fields: tuple[str, ...]  # "name: annotation"
    summary: str


def uses_between_contexts(project: Project) -> list[Use]:
    """Every context's uses of other contexts' public modules, with the names it takes."""
    d = project.declaration
    public = {
        module: (context, module.rpartition(".")[2])
        for context in d.labels
        for module in d.public_modules_of(context)
    }
    names: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    where: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for source in project.files.values():
        if source.context is None:
            continue
        for module, name in _taken(source, public):
            owner, short = public[module]
            if owner == source.context:
                continue
            key = (source.context, owner, short)
            where[key].add(source.module)
            if name:
                names[key].add(name)
    return sorted(
        Use(importer, imported, short, tuple(sorted(names[key])), tuple(sorted(where[key])))
        for key in where
        for importer, imported, short in [key]
    )


def _taken(source: SourceFile, public: dict[str, tuple[str, str]]) -> set[tuple[str, str]]:
    """(public module, name taken from it or "") for each use in one file."""

    def module_of(dotted: str) -> str | None:
        return next((m for m in public if is_within(dotted, m)), None)

    found: set[tuple[str, str]] = set()
    for node in source.nodes(ast.Import, ast.ImportFrom, ast.Attribute):
        if isinstance(node, ast.Import):
            found |= {(m, "") for alias in node.names if (m := module_of(alias.name))}
        elif isinstance(node, ast.ImportFrom):
            base = absolute_module(node, source.module, source.is_package)
            for alias in node.names:
                if f"{base}.{alias.name}" in public:
                    found.add((f"{base}.{alias.name}", ""))  # `from acme.sales import api`
                elif (module := module_of(base)) is not None and alias.name != "*":
                    found.add((module, alias.name))
        else:
            target = source.resolve(node.value)
            if target is not None and target in public:
                found.add((target, node.attr))
    return found


def api_functions(project: Project, module: str) -> list[Function]:
    """The published functions of a module (its ``__all__``), with signature and summary."""
    source = project.files.get(module)
    if source is None:
        return []
    published = declared_all(source.tree)
    found = []
    for node in source.tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not _is_published(node.name, published):
            continue
        returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
        found.append(
            Function(node.name, f"{node.name}({ast.unparse(node.args)}){returns}", _summary(node))
        )
    return sorted(found, key=lambda f: f.name)


def published_classes(project: Project, module: str) -> list[DataClass]:
    """The classes a public module publishes (its DTOs), with their fields."""
    source = project.files.get(module)
    if source is None:
        return []
    published = declared_all(source.tree)
    return [c for c in _classes(source) if _is_published(c.name, published) and c.fields]


def domain_classes(project: Project, package: str) -> list[DataClass]:
    """The dataclasses of a context's domain package: its aggregates and value objects."""
    found = []
    for module, source in sorted(project.files.items()):
        if is_within(module, package):
            found += [c for c in _classes(source) if _is_dataclass(source, c.name)]
    return found


def _classes(source: SourceFile) -> list[DataClass]:
    classes = []
    for node in source.tree.body:
        if isinstance(node, ast.ClassDef):
            fields = tuple(
                f"{item.target.id}: {ast.unparse(item.annotation)}"
                for item in node.body
                if isinstance(item, ast.AnnAssign)
                and isinstance(item.target, ast.Name)
                and "ClassVar" not in ast.unparse(item.annotation)
            )
            classes.append(DataClass(node.name, source.module, fields, _summary(node)))
    return classes


def _is_dataclass(source: SourceFile, name: str) -> bool:
    node = next(n for n in source.tree.body if isinstance(n, ast.ClassDef) and n.name == name)
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        resolved = source.resolve(target) or ast.unparse(target)
        if resolved.rpartition(".")[2] == "dataclass":
            return True
    return False


def _is_published(name: str, published: tuple[str, ...] | None) -> bool:
    return name in published if published is not None else not name.startswith("_")


def _summary(node: ast.AST) -> str:
    doc = ast.get_docstring(node)  # type: ignore[arg-type]
    return " ".join(doc.split("\n\n")[0].split()) if doc else ""
