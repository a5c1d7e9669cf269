"""Everything the generated docs say, gathered once from the code and the running project.

Sources: the declaration (contexts, public modules), the parsed source (uses between
contexts, api signatures, domain classes), Django (each context's store alias and
tables) and the event bus (event classes, subscriptions). The renderers only format it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from shop.platform.architecture.codebase import Codebase
from shop.platform.architecture.declaration import SETTING, Architecture
from shop.platform.architecture.docs import messaging, sources
from shop.platform.architecture.docs.messaging import Listener
from shop.platform.architecture.docs.schema import docstring, object_schema
from shop.platform.architecture.docs.sources import DataClass, Function, Use


@dataclass(frozen=True)
class Event:
    """One version of one event type, as it travels in the envelope's ``data``."""

    type: str
    version: int
    source: str  # the publishing context
    name: str
    module: str
    description: str
    schema: dict

    @property
    def key(self) -> str:
        """A stable id for the version: ``ordering.OrderPlaced.v1``."""
        return f"{self.type}.v{self.version}"

    @property
    def summary(self) -> str:
        return " ".join(self.description.split("\n\n")[0].split())


@dataclass(frozen=True)
class Context:
    name: str
    package: str
    aliases: tuple[str, ...]
    tables: tuple[str, ...]
    api: tuple[Function, ...]
    api_types: tuple[DataClass, ...]
    domain: tuple[DataClass, ...]


@dataclass(frozen=True)
class Facts:
    architecture: Architecture
    settings_module: str
    contexts: tuple[Context, ...]
    uses: tuple[Use, ...]
    events: tuple[Event, ...]
    listeners: tuple[Listener, ...]

    @property
    def public_modules(self) -> str:
        return ", ".join(f"`{m}`" for m in self.architecture.public_modules)

    def published_by(self, context: str) -> list[Event]:
        return [e for e in self.events if e.source == context]

    def listeners_of(self, event: Event) -> list[Listener]:
        return [
            li
            for li in self.listeners
            if (li.event_type, li.version) == (event.type, event.version)
        ]

    def listeners_in(self, context: str) -> list[Listener]:
        return [li for li in self.listeners if li.context == context]

    def event(self, event_type: str, version: int) -> Event | None:
        return next((e for e in self.events if (e.type, e.version) == (event_type, version)), None)


def gather(codebase: Codebase) -> Facts:
    from django.conf import settings

    a = codebase.architecture
    _import_public_modules(codebase)  # events register when their module is imported
    # Declared contexts' events and handlers only, not those a test or a sample registers.
    events = tuple(_event(cls) for cls in messaging.event_classes() if a.context_of(cls.__module__))
    listeners = tuple(li for li in messaging.listeners() if a.context_of(li.module))
    event_classes = {(e.module, e.name) for e in events}
    return Facts(
        architecture=a,
        settings_module=f"settings.{SETTING} ({settings.SETTINGS_MODULE})",
        contexts=tuple(_context(codebase, name, event_classes) for name in a.contexts),
        uses=tuple(sources.uses_between_contexts(codebase)),
        events=events,
        listeners=listeners,
    )


def _context(codebase: Codebase, name: str, event_classes: set[tuple[str, str]]) -> Context:
    a = codebase.architecture
    package = a.package_of(name)
    public = [f"{package}.{module}" for module in a.public_modules]
    return Context(
        name=name,
        package=package,
        aliases=_aliases(name),
        tables=tuple(sorted(codebase.models.tables.get(name, ()))),
        api=tuple(f for module in public for f in sources.api_functions(codebase, module)),
        api_types=tuple(
            c
            for module in public
            for c in sources.published_classes(codebase, module)
            if (c.module, c.name) not in event_classes
        ),
        domain=tuple(sources.domain_classes(codebase, f"{package}.domain")),
    )


def _aliases(label: str) -> tuple[str, ...]:
    """The database aliases Django's router writes the context's models to."""
    from django.apps import apps
    from django.db import router

    try:
        models = apps.get_app_config(label).get_models(include_auto_created=True)
    except LookupError:
        return ()
    return tuple(sorted({router.db_for_write(model) for model in models}))


def _event(cls: type) -> Event:
    return Event(
        type=cls.event_type,
        version=cls.version,
        source=cls.source,
        name=cls.__name__,
        module=cls.__module__,
        description=docstring(cls),
        schema=object_schema(cls),
    )


def _import_public_modules(codebase: Codebase) -> None:
    for context in codebase.architecture.contexts:
        for module in codebase.public_modules_of(context):
            if module in codebase.files:
                importlib.import_module(module)
