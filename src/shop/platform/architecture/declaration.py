"""The one declaration the architecture gate reads: which packages are contexts, and their rules.

A project states its shape once, in the ``SHOP_ARCHITECTURE`` setting. Every check, the
generated ``importlinter.ini`` and the ratchet files derive from it, so the gate never
names a context itself and adding a context is one edit. Keys:

- ``root``: the top-level package everything lives in (``shop``).
- ``contexts``: the bounded contexts, each the package ``<root>.<context>`` and the Django
  app label ``<context>``.
- ``public_modules``: the modules of a context that others may import (``api``, ``events``).
- ``shared``: packages no context owns, top to bottom: each may import those below it,
  none may import a context or the composition root.
- ``composition_root``: the package that wires the contexts together (settings, urls).
- ``layers``: import-linter layers every context's modules sit in, top to bottom.
- ``unlayered``: modules of a context exempt from the layers (default: ``migrations``).
- ``framework_free``: layers (``domain``) or shared packages that must stay plain Python.
- ``frameworks``: what those may not import (``django``, ...).
- ``importlinter_config``: where the generated import-linter file lives (default
  ``importlinter.ini``, relative to the working directory).
- ``docs_dir``: where ``--write-docs`` writes the generated architecture docs (context
  map, events, AsyncAPI, context canvases), relative to the working directory; unset,
  no docs are generated or checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from shop.platform.architecture.public_interface import is_within

SETTING = "SHOP_ARCHITECTURE"


@dataclass(frozen=True)
class Architecture:
    """A project's declared contexts and shared packages, and where each module belongs."""

    root: str
    contexts: tuple[str, ...]
    public_modules: tuple[str, ...]
    shared: tuple[str, ...] = ()
    composition_root: str | None = None
    layers: tuple[str, ...] = ()
    unlayered: tuple[str, ...] = ("migrations",)
    framework_free: tuple[str, ...] = ()
    frameworks: tuple[str, ...] = ()
    importlinter_config: str = "importlinter.ini"
    docs_dir: str | None = None

    @classmethod
    def from_mapping(cls, declared: Mapping[str, Any]) -> Architecture:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(declared) - known)
        if unknown:
            raise ImproperlyConfigured(f"{SETTING}: unknown keys {unknown}; known: {sorted(known)}")
        missing = sorted({"root", "contexts", "public_modules"} - set(declared))
        if missing:
            raise ImproperlyConfigured(f"{SETTING}: missing keys {missing}")
        values = {
            key: tuple(value) if isinstance(value, list | tuple) else value
            for key, value in declared.items()
        }
        return cls(**values)

    @classmethod
    def from_settings(cls) -> Architecture:
        from django.conf import settings

        declared = getattr(settings, SETTING, None)
        if declared is None:
            raise ImproperlyConfigured(f"Declare the architecture in settings.{SETTING}.")
        return cls.from_mapping(declared)

    def package_of(self, context: str) -> str:
        return f"{self.root}.{context}"

    def context_of(self, module: str) -> str | None:
        """The context `module` belongs to, or None for shared code and the composition root."""
        for context in self.contexts:
            if is_within(module, self.package_of(context)):
                return context
        return None

    def context_of_label(self, label: str) -> str | None:
        """The context whose Django app label is `label`, if any."""
        return label if label in self.contexts else None

    @property
    def owner_packages(self) -> tuple[str, ...]:
        """Every package that answers for its own violations (and has its own ratchet)."""
        others = (*self.shared, *([self.composition_root] if self.composition_root else []))
        return (*(self.package_of(c) for c in self.contexts), *others)

    def owner_of(self, module: str) -> str:
        """Who answers for a module: its context, shared package or composition root by short
        name (``billing``, ``platform``, ``site``), or the root package for anything else."""
        for package in self.owner_packages:
            if is_within(module, package):
                return self.short_name(package)
        return self.root

    def owner_package(self, owner: str) -> str:
        """The package named by an owner from `owner_of`."""
        if owner == self.root:
            return self.root
        for package in self.owner_packages:
            if self.short_name(package) == owner:
                return package
        raise ValueError(f"{owner!r} owns no package in {SETTING}")

    def short_name(self, package: str) -> str:
        return package.removeprefix(self.root + ".")

    def is_composition_root(self, module: str) -> bool:
        return self.composition_root is not None and is_within(module, self.composition_root)
