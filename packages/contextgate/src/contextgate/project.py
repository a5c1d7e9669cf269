"""What the checks read, gathered once: the source files, the import graph, the models.

A `Project` is a folder holding ``importlinter.ini`` and the root packages' source, found
there or in its ``src/``. Nothing of the project is imported: files are parsed, the import
graph is built by grimp from the same files, and the models are read from the parsed
classes (`contextgate.models`), unless a Django-mode run hands in the app registry's view.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from contextgate import syntax
from contextgate.declaration import CONFIG, Declaration, DeclarationError, is_within, read
from contextgate.models import read_models

T = TypeVar("T", bound=ast.AST)
# What the text of a file that may name a context in a string Django resolves holds.
STRING_CALLS = (b"get_model", b"include(", b"sender", b"dependencies", b"run_before")
# What the text of a file that may run SQL holds.
SQL_CALLS = (b"execute(", b"executemany(", b".raw(", b".extra(", b"RunSQL(")


@dataclass
class SourceFile:
    """One module of a root package, parsed on first use."""

    module: str
    path: Path
    is_package: bool
    relpath: str
    context: str | None
    owner: str

    @cached_property
    def text(self) -> bytes:
        return self.path.read_bytes()

    @cached_property
    def tree(self) -> ast.Module:
        return ast.parse(self.text, filename=str(self.path))

    @cached_property
    def _index(self) -> dict[type, list[ast.AST]]:
        # A walk by hand, faster than ast.walk (this walk is most of a check's cost), in
        # source order: of two classes of one name, the later is the one Python keeps.
        index: dict[type, list[ast.AST]] = defaultdict(list)
        stack: list = [self.tree]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.AST):
                index[type(node)].append(node)
                children: list = []
                for value in node.__dict__.values():
                    if value.__class__ is list:
                        children += value
                    elif isinstance(value, ast.AST):
                        children.append(value)
                stack += reversed(children)
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
        """The dotted name an expression stands for: through the file's imports, or a
        name the file defines at its top level."""
        resolved = syntax.resolve(expr, self.aliases)
        if resolved is None and isinstance(expr, ast.Name | ast.Attribute):
            name = syntax.dotted(expr)
            if name is not None and name.partition(".")[0] in self.defined:
                return f"{self.module}.{name}"
        return resolved

    @cached_property
    def star_imports(self) -> tuple[str, ...]:
        """The modules this file takes every public name of (``from module import *``)."""
        return tuple(
            syntax.absolute_module(node, self.module, self.is_package)
            for node in self.nodes(ast.ImportFrom)
            if any(alias.name == "*" for alias in node.names)
        )

    @cached_property
    def defined(self) -> frozenset[str]:
        return frozenset(node.name for node in self.nodes(ast.ClassDef))


class Project:
    """A project on disk and its declaration."""

    def __init__(
        self,
        path: Path,
        declaration: Declaration,
        *,
        session_options: dict[str, Any] | None = None,
        models: Callable[[Project], Any] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.path = path.resolve()
        self.declaration = declaration
        self.session_options = session_options or {}
        self._models = models
        self.progress = progress

    @classmethod
    def load(cls, path: Path, config: str = CONFIG, **kwargs: Any) -> Project:
        declaration, session = read(path, config)
        return cls(path, declaration, session_options=session, **kwargs)

    @cached_property
    def source_dirs(self) -> dict[str, Path]:
        """Each root package's folder: in the project folder or its ``src/``."""
        found = {}
        for root in self.declaration.roots:
            for base in (self.path, self.path / "src"):
                if (base / root).is_dir():
                    found[root] = base / root
                    break
            else:
                raise DeclarationError(f"root package {root!r} is neither in {self.path} nor src/")
        return found

    @cached_property
    def files(self) -> dict[str, SourceFile]:
        """Every module of the root packages by dotted name (packages: their __init__.py)."""
        found: dict[str, SourceFile] = {}
        d = self.declaration
        for root, folder in self.source_dirs.items():
            packages = {p.parent for p in folder.rglob("__init__.py")}
            for path in sorted(folder.rglob("*.py")):
                parts = path.relative_to(folder).with_suffix("").parts
                if not all(
                    folder.joinpath(*parts[: i + 1]) in packages for i in range(len(parts) - 1)
                ):
                    continue
                is_package = parts[-1] == "__init__"
                module = ".".join((root, *parts[: -1 if is_package else None]))
                found[module] = SourceFile(
                    module=module,
                    path=path,
                    is_package=is_package,
                    relpath=self._display(path),
                    context=d.context_of(module),
                    owner=d.owner_of(module),
                )
        return found

    @cached_property
    def owned(self) -> list[SourceFile]:
        """The files of the contexts, the shared packages and the composition root."""
        packages = tuple(self.declaration.owner_packages.values())
        return [s for m, s in self.files.items() if any(is_within(m, p) for p in packages)]

    @cached_property
    def relevant(self) -> list[SourceFile]:
        """The files a check can find something in: the owners' files, those that import a
        module of a context (grimp has read every import), those that quote a context's
        app label or package as Django's strings do (``get_model("sales", ...)``,
        ``include("acme.sales.urls")``, a migration's dependency), and those that call
        SQL. Other files are not parsed at all: on a large tree most of it is libraries
        that never mention a context."""
        d = self.declaration
        importing = {
            importer
            for context in d.contexts
            if context.package in self.graph.modules
            for module in {context.package} | self.graph.find_descendants(context.package)
            for importer in self.graph.find_modules_that_directly_import(module)
        }
        labels = "|".join(re.escape(c.label) for c in d.contexts)
        packages = "|".join(re.escape(c.package) for c in d.contexts)
        # get_model("sales", ...), ("sales", "0001_initial"), "sales.Order", "acme.sales.urls"
        quoted = re.compile(
            rf"""["'](?:{labels})(?:\.[A-Za-z_]|["']\s*,)|["'](?:{packages})["'.]""".encode()
        )
        tables = sorted(
            {t.encode() for label in d.labels for t in self.models.tables.get(label, ())}
        )
        schema = re.compile(rf"""\b(?:{labels.lower()})"?\s*\.""".encode())

        def names_a_context(text: bytes) -> bool:
            lowered = text.lower()
            return any(t in lowered for t in tables) or bool(schema.search(lowered))

        owned = {s.module for s in self.owned}
        return [
            source
            for module, source in self.files.items()
            if module in owned
            or module in importing
            or (any(call in source.text for call in STRING_CALLS) and quoted.search(source.text))
            or (any(call in source.text for call in SQL_CALLS) and names_a_context(source.text))
            or (source.is_migration and b"swappable_dependency" in source.text)
        ]

    def parse_all(self) -> None:
        """Parse and index the relevant files now, so that cost is timed on its own."""
        total = len(self.relevant)
        for done, source in enumerate(self.relevant, 1):
            source.nodes(ast.Module)
            if self.progress and (done % 200 == 0 or done == total):
                self.progress(done, total)

    def _display(self, path: Path) -> str:
        """`relpath` of a path found under the project's own folders (no resolving)."""
        return str(path.relative_to(self.path)) if path.is_relative_to(self.path) else str(path)

    def relpath(self, path: Path) -> str:
        path = path.resolve()
        return str(path.relative_to(self.path)) if path.is_relative_to(self.path) else str(path)

    def package_dir(self, package: str) -> Path:
        root, _, rest = package.partition(".")
        return self.source_dirs[root].joinpath(*filter(None, rest.split(".")))

    @cached_property
    def graph(self) -> Any:
        """grimp's import graph of the root packages, built from the files on disk."""
        import grimp

        options = {k: str(v).lower() for k, v in self.session_options.items()}
        with _found_here(self.source_dirs):
            return grimp.build_graph(
                *self.declaration.roots,
                include_external_packages=options.get("include_external_packages") == "true",
                exclude_type_checking_imports=options.get("exclude_type_checking_imports")
                == "true",
                cache_dir=None,
            )

    @cached_property
    def models(self) -> Any:
        """The models of every app in the tree: parsed, or the app registry's in Django mode."""
        if self._models is not None:
            return self._models(self)
        return read_models(self)

    @cached_property
    def declared_all(self) -> dict[str, tuple[str, ...] | None]:
        """``__all__`` of each context's public modules and their submodules (None where a
        module declares none, or none that can be read without running it)."""
        found = {}
        for label in self.declaration.labels:
            for public in self.declaration.public_modules_of(label):
                for module, source in self.files.items():
                    if module == public or module.startswith(public + "."):
                        found[module] = syntax.declared_all(source.tree)
        return found


@contextmanager
def _found_here(source_dirs: dict[str, Path]) -> Iterator[None]:
    """Let grimp find the root packages in these folders: first on the path, and not the
    copies this process may already have imported from elsewhere."""
    folders = [str(p.parent) for p in source_dirs.values()]
    hidden = {
        name: sys.modules.pop(name)
        for name in list(sys.modules)
        if name.partition(".")[0] in source_dirs
    }
    saved = list(sys.path)
    sys.path[:0] = folders
    try:
        yield
    finally:
        sys.path[:] = saved
        sys.modules.update(hidden)
