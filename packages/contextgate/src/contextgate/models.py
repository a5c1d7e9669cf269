"""The project's Django models as the source declares them, without importing anything.

A class is a model when one of its bases is ``django.db.models.Model`` or another model
of the tree, or, for a base from a library the tree does not hold, when its body declares
Django fields. Fields of abstract bases and mixins are inherited as Django inherits them.
From that: each app's tables (``Meta.db_table`` or Django's default name, many-to-many
tables included), its model names, and every relation field of a context's model with the
model it points at, by Django label (``app_label.Model``).

`contextgate.django_mode` builds the same `Models` from Django's app registry instead.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, TypeVar

from contextgate.declaration import Declaration, is_within
from contextgate.syntax import argument, call_name, dotted, keyword, string

T = TypeVar("T", bound=ast.AST)


class SourceFile(Protocol):
    """What the reader needs of a parsed module (`contextgate.project.SourceFile`)."""

    module: str
    relpath: str
    is_package: bool

    @property
    def is_migration(self) -> bool: ...

    @property
    def star_imports(self) -> tuple[str, ...]: ...

    def nodes(self, *kinds: type[T]) -> list[T]: ...

    def resolve(self, expr: ast.AST) -> str | None: ...


class Project(Protocol):
    """What the reader needs of a project (`contextgate.project.Project`): its modules,
    those of its owners, and its declaration."""

    declaration: Declaration

    @property
    def files(self) -> Mapping[str, SourceFile]: ...

    @property
    def owned(self) -> Sequence[SourceFile]: ...


MODEL_BASES = frozenset({"django.db.models.Model", "django.db.models.base.Model"})
RELATION_FIELDS = frozenset(
    {"ForeignKey", "OneToOneField", "ManyToManyField", "ForeignObject", "GenericRelation"}
)
GENERIC = "GenericForeignKey"
DEFAULT_USER = "auth.User"  # settings.AUTH_USER_MODEL unless swapped: Django mode knows


@dataclass(frozen=True, order=True)
class Relation:
    """A relation field of a concrete model, where it is written and what it points at."""

    label: str  # the concrete model's app label
    field: str  # module.Class.field of the class whose body assigns it
    kind: str  # ForeignKey, ManyToManyField, ...
    target: str | None  # app_label.Model; None for a generic relation (may point anywhere)
    file: str
    line: int


@dataclass(frozen=True)
class Models:
    """What the checks know of the models, by app label."""

    tables: dict[str, frozenset[str]] = field(default_factory=dict)
    names: dict[str, frozenset[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)  # app package -> app label
    relations: tuple[Relation, ...] = ()

    def label_of(self, module: str) -> str | None:
        """The app label of the app a module belongs to (the longest matching package)."""
        matches = [p for p in self.labels if is_within(module, p)]
        return self.labels[max(matches, key=len)] if matches else None


@dataclass
class _Class:
    source: SourceFile
    node: ast.ClassDef
    bases: list[str] | None = None  # resolved on first use

    @property
    def key(self) -> str:
        return f"{self.source.module}.{self.node.name}"

    @cached_property
    def meta(self) -> dict[str, object]:
        for statement in self.node.body:
            if isinstance(statement, ast.ClassDef) and statement.name == "Meta":
                return {
                    target.id: statement_value.value
                    for item in statement.body
                    if isinstance(item, ast.Assign)
                    and isinstance(statement_value := item.value, ast.Constant)
                    for target in item.targets
                    if isinstance(target, ast.Name)
                }
        return {}

    @cached_property
    def fields(self) -> list[tuple[str, ast.Call, int]]:
        found = []
        for statement in self.node.body:
            if isinstance(statement, ast.Assign | ast.AnnAssign) and isinstance(
                statement.value, ast.Call
            ):
                target = (
                    statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
                )
                if isinstance(target, ast.Name):
                    found.append((target.id, statement.value, statement.lineno))
        return found


class _Classes(dict):
    """The classes of the tree by dotted name. The owners' modules are read at once; any
    other module only when a name leads into it (a base class, a relation's target)."""

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self.read: set[str] = set()
        for source in project.owned:
            self._add(source)

    def __contains__(self, key: object) -> bool:
        if not dict.__contains__(self, key) and isinstance(key, str):
            module = self.project.files.get(key.rpartition(".")[0])
            if module is not None:
                self._add(module)
        return dict.__contains__(self, key)

    def _add(self, source: SourceFile) -> None:
        if source.module in self.read or source.is_migration:
            return
        self.read.add(source.module)
        nested = {
            id(inner)
            for outer in source.nodes(ast.ClassDef)
            for inner in outer.body
            if isinstance(inner, ast.ClassDef)
        }
        for node in source.nodes(ast.ClassDef):
            if id(node) not in nested:
                self[f"{source.module}.{node.name}"] = _Class(source, node)


class _Reader:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.declaration = project.declaration
        self.classes = _Classes(project)
        self._is_model: dict[str, bool] = {}

    def bases(self, klass: _Class) -> list[str]:
        if klass.bases is None:
            klass.bases = [self.resolve(klass.source, base) or "" for base in klass.node.bases]
        return klass.bases

    def resolve(self, source: SourceFile, expr: ast.AST) -> str | None:
        """What a name stands for, through the file's imports, its own classes, or a class
        of the tree that a ``from module import *`` brings in."""
        resolved = source.resolve(expr)
        if resolved is None and isinstance(expr, ast.Name):
            return self._starred(source, expr.id, set())
        return resolved

    def _starred(self, source: SourceFile, name: str, seen: set[str]) -> str | None:
        seen.add(source.module)
        for module in source.star_imports:
            if f"{module}.{name}" in self.classes:  # reads the module if need be
                return f"{module}.{name}"
            inner = self.project.files.get(module)
            if inner is not None and module not in seen:
                found = self._starred(inner, name, seen)
                if found:
                    return found
        return None

    def is_model(self, key: str) -> bool:
        if key not in self._is_model:
            self._is_model[key] = False  # a cycle of bases is no model
            klass = self.classes[key]
            self._is_model[key] = (
                any(base in MODEL_BASES for base in self.bases(klass))
                or any(base in self.classes and self.is_model(base) for base in self.bases(klass))
                or self._declares_fields(klass)
            )
        return self._is_model[key]

    def _declares_fields(self, klass: _Class) -> bool:
        """A class deriving from something outside the tree, with Django fields in its body."""
        if not any(base and base not in self.classes for base in self.bases(klass)):
            return False
        return any(
            (klass.source.resolve(call.func) or "").startswith("django.db.models.")
            for _, call, _ in klass.fields
        )

    def label(self, klass: _Class) -> str:
        explicit = klass.meta.get("app_label")
        return explicit if isinstance(explicit, str) else self.label_of_module(klass.source.module)

    def label_of_module(self, module: str) -> str:
        """The app a module belongs to: its context, else the package around ``models``."""
        context = self.declaration.context_of(module)
        if context:
            return context
        parts = module.split(".")
        if "models" in parts[1:]:
            return parts[parts.index("models", 1) - 1]
        return parts[-2] if len(parts) > 1 else parts[0]

    def concrete(self) -> list[_Class]:
        return [
            k
            for key, k in list(self.classes.items())
            if self.is_model(key) and k.meta.get("abstract") is not True
        ]

    def inherited_fields(self, klass: _Class) -> list[tuple[_Class, str, ast.Call, int]]:
        """A model's own fields, then those of its abstract bases and mixins, nearest first."""
        found, seen, queue = [], set(), [klass]
        while queue:
            current = queue.pop(0)
            for name, call, line in current.fields:
                if name not in seen:
                    seen.add(name)
                    found.append((current, name, call, line))
            queue += [
                self.classes[base]
                for base in self.bases(current)
                if base in self.classes
                and self.is_model(base)
                and self.classes[base].meta.get("abstract") is True
            ]
        return found

    def target(self, owner: _Class, model: _Class, call: ast.Call) -> str | None | bool:
        """The label a relation field points at, None for a generic relation, False when
        it is no relation or cannot be told."""
        kind = call_name(call)
        if kind == GENERIC:
            return None
        if kind not in RELATION_FIELDS:
            return False
        to = argument(call, 0, "to")
        if to is None:
            return False
        text = string(to)
        if text is not None:
            if text == "self" or "." not in text:
                return f"{self.label(model)}.{model.node.name if text == 'self' else text}"
            return self._known(text)
        name = dotted(to) or ""
        if name.endswith("AUTH_USER_MODEL"):
            return DEFAULT_USER
        resolved = self.resolve(owner.source, to)
        if resolved is None:
            return False
        if resolved in self.classes:
            return f"{self.label(self.classes[resolved])}.{self.classes[resolved].node.name}"
        module, _, cls = resolved.rpartition(".")
        return self._known(f"{self.label_of_module(module)}.{cls}")

    def _known(self, label: str) -> str:
        """A label as Django spells it: the model's own name, whatever case was written."""
        app, _, name = label.partition(".")
        return f"{app}.{self._spelled.get((app, name.lower()), name)}"

    @cached_property
    def _spelled(self) -> dict[tuple[str, str], str]:
        return {(self.label(k), k.node.name.lower()): k.node.name for k in self.concrete()}

    def _parent_links(self, klass: _Class, label: str) -> list[Relation]:
        """Multi-table inheritance: Django links a model to each concrete parent with an
        implicit ``<parent>_ptr`` OneToOneField, reported at the class, as Django mode does."""
        return [
            Relation(
                label=label,
                field=f"{klass.key}.{parent.node.name.lower()}_ptr",
                kind="OneToOneField",
                target=f"{self.label(parent)}.{parent.node.name}",
                file=klass.source.relpath,
                line=klass.node.lineno,
            )
            for base in self.bases(klass)
            if base in self.classes
            and self.is_model(base)
            and (parent := self.classes[base]).meta.get("abstract") is not True
        ]

    def read(self) -> Models:
        tables: dict[str, set[str]] = {}
        names: dict[str, set[str]] = {}
        relations = []
        labels = {c.package: c.label for c in self.declaration.contexts}
        for klass in self.concrete():
            label = self.label(klass)
            names.setdefault(label, set()).add(klass.node.name)
            table = klass.meta.get("db_table")
            table = table if isinstance(table, str) else f"{label}_{klass.node.name.lower()}"
            if klass.meta.get("proxy") is not True:
                tables.setdefault(label, set()).add(table.lower())
            for owner, name, call, line in self.inherited_fields(klass):
                if call_name(call) == "ManyToManyField" and keyword(call, "through") is None:
                    tables.setdefault(label, set()).add(f"{table}_{name}".lower())
                if not self.declaration.is_context(label):
                    continue
                target = self.target(owner, klass, call)
                if target is not False:
                    relations.append(
                        Relation(
                            label=label,
                            field=f"{owner.key}.{name}",
                            kind=call_name(call) or "?",
                            target=target,  # type: ignore[arg-type]
                            file=owner.source.relpath,
                            line=line,
                        )
                    )
            if self.declaration.is_context(label) and klass.meta.get("proxy") is not True:
                relations += self._parent_links(klass, label)
        for source in self.project.files.values():
            if source.is_package and source.module.endswith(".migrations"):
                package = source.module.removesuffix(".migrations")
                labels.setdefault(package, self.label_of_module(package + ".models"))
        return Models(
            tables={label: frozenset(t) for label, t in tables.items()},
            names={label: frozenset(n) for label, n in names.items()},
            labels=labels,
            relations=tuple(sorted(set(relations))),
        )


def read_models(project: Project) -> Models:
    return _Reader(project).read()
