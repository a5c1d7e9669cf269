"""The one declaration: a ``bounded_contexts`` contract in ``importlinter.ini``.

The contract section is the only place a project describes its contexts. import-linter
reads it to check the imports (`contextgate.contract`); the Django-aware checks read the
same section through `read`. Options (multi-line values are lists):

- ``contexts``: the context packages by dotted path (``acme.sales``,
  ``oscar.apps.order``). A context's name is its Django app label, which Django defaults to
  the package's last component; write ``package as label`` where it differs.
- ``public_modules``: modules of a context others may import (``api``, ``events``),
  relative to its package; only the names in their ``__all__`` are public.
- ``layers``: import-linter layers every context's modules sit in, top to bottom, in
  import-linter's syntax (``(optional)``, ``a | b`` for siblings).
- ``unlayered``: modules exempt from the layers (default ``migrations``).
- ``shared``: packages no context owns, top to bottom: each may import those below it,
  none a context or the composition root.
- ``composition_root``: the package that wires the contexts together (settings, urls).
- ``framework_free``: layers (``domain``) or packages that stay plain Python, and
  ``frameworks``: what they may not import.
- ``docs_dir``: where ``manage.py contextgate_docs --write`` writes the generated
  architecture docs, and ``docs_events``: the ``module:function`` that hands them the
  project's event catalogue (docs/generated-docs.md).
"""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CONTRACT_TYPE = "bounded_contexts"
CONFIG = "importlinter.ini"


class DeclarationError(Exception):
    """The declaration is missing or cannot be read: a usage error, not a violation."""


def is_within(module: str, package: str) -> bool:
    """Whether `module` is `package` itself or one of its descendants."""
    return module == package or module.startswith(package + ".")


@dataclass(frozen=True)
class Context:
    label: str
    package: str


@dataclass(frozen=True)
class Declaration:
    """A project's contexts and shared packages, and where each module belongs."""

    roots: tuple[str, ...]
    contexts: tuple[Context, ...]
    public_modules: tuple[str, ...]
    layers: tuple[str, ...] = ()
    unlayered: tuple[str, ...] = ("migrations",)
    shared: tuple[str, ...] = ()
    composition_root: str | None = None
    framework_free: tuple[str, ...] = ()
    frameworks: tuple[str, ...] = ()
    docs_dir: str | None = None
    docs_events: str | None = None
    contract_id: str = "contexts"
    config: str = CONFIG

    @classmethod
    def from_options(
        cls, options: Mapping[str, Any], *, roots: tuple[str, ...] = (), **extra: Any
    ) -> Declaration:
        """From a contract section's options, as import-linter hands them to a contract."""
        missing = [key for key in ("contexts", "public_modules") if key not in options]
        if missing:
            raise DeclarationError(f"the {CONTRACT_TYPE} contract needs {', '.join(missing)}")
        contexts = tuple(_context(entry) for entry in _list(options["contexts"]))
        labels = [c.label for c in contexts]
        if len(set(labels)) != len(labels):
            raise DeclarationError(f"two contexts share an app label: {sorted(labels)}")
        optional = {
            key: tuple(_list(options[key]))
            for key in ("layers", "unlayered", "shared", "framework_free", "frameworks")
            if key in options
        }
        single = {
            key: " ".join(_list(options[key]))
            for key in ("composition_root", "docs_dir", "docs_events")
            if key in options
        }
        return cls(
            roots=roots or tuple(sorted({c.package.partition(".")[0] for c in contexts})),
            contexts=contexts,
            public_modules=tuple(_list(options["public_modules"])),
            **optional,
            **single,
            **extra,
        )

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.contexts)

    def package_of(self, label: str) -> str:
        return next(c.package for c in self.contexts if c.label == label)

    def context_of(self, module: str) -> str | None:
        """The label of the context `module` belongs to, or None outside every context. An
        app nested in another context's package is a context of its own."""
        matches = [c for c in self.contexts if is_within(module, c.package)]
        return max(matches, key=lambda c: len(c.package)).label if matches else None

    def is_context(self, label: str | None) -> bool:
        return label in self.labels

    def context_of_label(self, label: str) -> str | None:
        """The context whose app label is `label`, if any."""
        return label if label in self.labels else None

    def public_modules_of(self, label: str) -> list[str]:
        package = self.package_of(label)
        return [f"{package}.{name}" for name in self.public_modules]

    @property
    def owner_packages(self) -> dict[str, str]:
        """Who answers for violations, by owner name: each context by its label, each
        shared package and the composition root by its last component."""
        owners = {c.label: c.package for c in self.contexts}
        for package in (*self.shared, *filter(None, [self.composition_root])):
            owners.setdefault(package.rpartition(".")[2], package)
        return owners

    def owner_of(self, module: str) -> str:
        """The owner of a module: the most specific owner package holding it, else the
        top-level package."""
        matches = [(p, o) for o, p in self.owner_packages.items() if is_within(module, p)]
        return max(matches)[1] if matches else module.partition(".")[0]

    def owner_package(self, owner: str) -> str:
        return self.owner_packages.get(owner, owner)

    def is_composition_root(self, module: str) -> bool:
        return self.composition_root is not None and is_within(module, self.composition_root)


def read(project: Path, config: str = CONFIG) -> tuple[Declaration, dict[str, Any]]:
    """The declaration in `project`'s import-linter file, and the file's session options.

    Read with configparser, as import-linter reads it, so neither import-linter nor the
    project need be importable for this."""
    path = project / config
    if not path.is_file():
        raise DeclarationError(f"{path} does not exist: declare the contexts there (README)")
    parser = configparser.ConfigParser()
    try:
        parser.read_string(path.read_text(), source=str(path))
    except configparser.Error as error:
        raise DeclarationError(f"{path} cannot be read: {error}") from error
    if "importlinter" not in parser:
        raise DeclarationError(f"{path} has no [importlinter] section")
    session = {key: _value(value) for key, value in parser["importlinter"].items()}
    found = [
        (name.partition(":contract:")[2], section)
        for name, section in parser.items()
        if name.startswith("importlinter:contract:") and section.get("type") == CONTRACT_TYPE
    ]
    if len(found) != 1:
        raise DeclarationError(
            f"{path} must hold exactly one contract of type {CONTRACT_TYPE}, found {len(found)}"
        )
    contract_id, section = found[0]
    options = {key: _value(value) for key, value in section.items()}
    roots = tuple(_list(session.get("root_packages") or session.get("root_package") or []))
    return Declaration.from_options(
        options, roots=roots, contract_id=contract_id, config=config
    ), session


def section_line(project: Path, config: str, contract_id: str) -> int:
    """The line of a contract's section header, for violations that belong to the file."""
    header = f"[importlinter:contract:{contract_id}]"
    lines = (project / config).read_text().splitlines()
    return next((n for n, line in enumerate(lines, 1) if line.strip() == header), 1)


def _value(raw: str) -> str | list[str]:
    """A value as import-linter sees it: a value of several lines is a list."""
    if "\n" not in raw:
        return raw.strip()
    return [line.strip() for line in raw.strip().split("\n") if line.strip()]


def _list(value: str | list[str]) -> list[str]:
    """A value as a list, without the blank lines import-linter keeps."""
    return [item for item in ([value] if isinstance(value, str) else value) if item.strip()]


def _context(entry: str) -> Context:
    package, _, label = (part.strip() for part in entry.partition(" as "))
    if not package.replace(".", "").replace("_", "").isalnum():
        raise DeclarationError(f"context {entry!r} is not a dotted package path")
    return Context(label=label or package.rpartition(".")[2], package=package)
