"""Everything the checks read, gathered once: the source files, the import graph, the models.

Each piece is computed on first use and shared, so a check costs only its own rule and the
gate can time parsing, graph building and each check separately.
"""

from __future__ import annotations

import ast
import gc
import importlib.util
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from shop.platform.architecture import syntax
from shop.platform.architecture.declaration import Architecture

T = TypeVar("T", bound=ast.AST)


@dataclass
class SourceFile:
    """One module of the root package, parsed on demand."""

    module: str
    path: Path
    is_package: bool
    relpath: str
    context: str | None
    owner: str

    @cached_property
    def tree(self) -> ast.Module:
        return ast.parse(self.path.read_bytes(), filename=str(self.path))

    @cached_property
    def _index(self) -> dict[type, list[ast.AST]]:
        index: dict[type, list[ast.AST]] = defaultdict(list)
        for node in ast.walk(self.tree):
            index[type(node)].append(node)
        return index

    def nodes(self, *kinds: type[T]) -> list[T]:
        """Every node of the given types anywhere in the file (one walk, shared by checks)."""
        return [node for kind in kinds for node in self._index.get(kind, ())]  # type: ignore[misc]

    @cached_property
    def aliases(self) -> dict[str, str]:
        imports = self.nodes(ast.Import, ast.ImportFrom)
        return syntax.import_aliases(imports, self.module, self.is_package)

    @property
    def is_migration(self) -> bool:
        return ".migrations." in f".{self.module}."

    def resolve(self, expr: ast.AST) -> str | None:
        return syntax.resolve(expr, self.aliases)


@dataclass(frozen=True)
class Models:
    """What Django's app registry knows about each app's models."""

    tables: dict[str, frozenset[str]] = field(default_factory=dict)  # app label -> db tables
    names: dict[str, frozenset[str]] = field(default_factory=dict)  # app label -> class names
    labels: dict[str, str] = field(default_factory=dict)  # app package -> app label

    def label_of(self, module: str) -> str | None:
        """The app label of the Django app a module belongs to (the longest matching package)."""
        matches = [p for p in self.labels if module == p or module.startswith(p + ".")]
        return self.labels[max(matches, key=len)] if matches else None


class Codebase:
    """The project the gate checks: the root package on disk plus Django's view of it."""

    def __init__(self, architecture: Architecture, *, workdir: Path | None = None) -> None:
        self.architecture = architecture
        self.workdir = (workdir or Path.cwd()).resolve()

    @cached_property
    def root_dir(self) -> Path:
        spec = importlib.util.find_spec(self.architecture.root)
        if spec is None or not spec.submodule_search_locations:
            raise ValueError(f"{self.architecture.root!r} is not an importable package")
        return Path(next(iter(spec.submodule_search_locations))).resolve()

    @cached_property
    def files(self) -> dict[str, SourceFile]:
        """Every module of the root package by dotted name (packages: their __init__.py)."""
        found: dict[str, SourceFile] = {}
        for path in sorted(self.root_dir.rglob("*.py")):
            parts = path.relative_to(self.root_dir).with_suffix("").parts
            if not _in_packages(self.root_dir, parts[:-1]):
                continue
            is_package = parts[-1] == "__init__"
            module = ".".join((self.architecture.root, *parts[: -1 if is_package else None]))
            found[module] = SourceFile(
                module=module,
                path=path,
                is_package=is_package,
                relpath=self.relpath(path),
                context=self.architecture.context_of(module),
                owner=self.architecture.owner_of(module),
            )
        return found

    def parse_all(self) -> None:
        """Parse and index every file now, so that cost is timed on its own."""
        # Parsing allocates many objects that all stay alive: collecting meanwhile is waste.
        gc.disable()
        try:
            for source in self.files.values():
                source.nodes(ast.Module)
        finally:
            gc.enable()

    def relpath(self, path: Path) -> str:
        """A path as reports show it: relative to the working directory when inside it."""
        path = path.resolve()
        return (
            str(path.relative_to(self.workdir)) if path.is_relative_to(self.workdir) else str(path)
        )

    def package_dir(self, package: str) -> Path:
        parts = package.split(".")[1:] if package != self.architecture.root else []
        return self.root_dir.joinpath(*parts)

    def public_modules_of(self, context: str) -> list[str]:
        package = self.architecture.package_of(context)
        return [f"{package}.{name}" for name in self.architecture.public_modules]

    @cached_property
    def graph(self) -> Any:
        """The grimp import graph of the root package, external packages as leaves."""
        import grimp

        return grimp.build_graph(
            self.architecture.root, include_external_packages=True, cache_dir=None
        )

    @cached_property
    def models(self) -> Models:
        from django.apps import apps

        tables: dict[str, set[str]] = defaultdict(set)
        names: dict[str, set[str]] = defaultdict(set)
        for model in apps.get_models(include_auto_created=True):
            tables[model._meta.app_label].add(model._meta.db_table.lower())
            if not model._meta.auto_created:
                names[model._meta.app_label].add(model.__name__)
        return Models(
            tables={label: frozenset(t) for label, t in tables.items()},
            names={label: frozenset(n) for label, n in names.items()},
            labels={config.name: config.label for config in apps.get_app_configs()},
        )

    @cached_property
    def declared_all(self) -> dict[str, tuple[str, ...] | None]:
        """``__all__`` of each context's public modules (None where a module declares none)."""
        found = {}
        for context in self.architecture.contexts:
            for public in self.public_modules_of(context):
                for module, source in self.files.items():
                    if module == public or module.startswith(public + "."):
                        found[module] = syntax.declared_all(source.tree) or _runtime_all(module)
        return found


def _in_packages(root: Path, parts: tuple[str, ...]) -> bool:
    """Whether every folder between the root package and a file is a package itself."""
    return all((root.joinpath(*parts[: i + 1]) / "__init__.py").exists() for i in range(len(parts)))


def _runtime_all(module: str) -> tuple[str, ...] | None:
    """``__all__`` as the running module has it, for a list built by code rather than a literal."""
    import importlib

    names = getattr(importlib.import_module(module), "__all__", None)
    return None if names is None else tuple(names)
