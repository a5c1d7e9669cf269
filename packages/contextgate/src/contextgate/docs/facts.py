"""Everything the generated docs say, gathered once; the renderers only format it.

Sources: the declaration (contexts, public modules), the parsed source (uses between
contexts, api signatures, domain classes), the models (each context's tables), the
database router (each context's store alias) and the project's event catalogue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from contextgate.declaration import Declaration
from contextgate.docs import sources
from contextgate.docs.catalogue import Catalogue, Event, Listener
from contextgate.docs.sources import DataClass, Function, Use
from contextgate.project import Project


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
    declaration: Declaration
    contexts: tuple[Context, ...]
    uses: tuple[Use, ...]
    catalogue: Catalogue | None  # None: the project names no hook

    @property
    def name(self) -> str:
        """The project, by its root packages."""
        return ", ".join(self.declaration.roots)

    @property
    def public_modules(self) -> str:
        return ", ".join(f"`{m}`" for m in self.declaration.public_modules)

    @property
    def events(self) -> tuple[Event, ...]:
        return self.catalogue.events if self.catalogue else ()

    @property
    def listeners(self) -> tuple[Listener, ...]:
        return self.catalogue.listeners if self.catalogue else ()

    def published_by(self, context: str) -> list[Event]:
        return [e for e in self.events if e.context == context]

    def listeners_of(self, event_type: str, version: int) -> list[Listener]:
        return [li for li in self.listeners if (li.type, li.version) == (event_type, version)]

    def listeners_in(self, context: str) -> list[Listener]:
        return [li for li in self.listeners if li.context == context]

    def publisher(self, event_type: str) -> str:
        """The context publishing an event type: as declared, else the type's prefix (a
        handler for an event no context here declares)."""
        declared = next((e.context for e in self.events if e.type == event_type), None)
        return declared or event_type.partition(".")[0]


def gather(
    project: Project,
    catalogue: Catalogue | None,
    aliases: Callable[[str], tuple[str, ...]] = lambda label: (),
) -> Facts:
    """The facts of `project`; `aliases` gives the database aliases of a context's models."""
    events = {(e.module, e.name) for e in catalogue.events} if catalogue else set()
    return Facts(
        declaration=project.declaration,
        contexts=tuple(
            _context(project, label, events, aliases) for label in project.declaration.labels
        ),
        uses=tuple(sources.uses_between_contexts(project)),
        catalogue=catalogue,
    )


def store_aliases(label: str) -> tuple[str, ...]:
    """The database aliases Django's router writes the context's models to."""
    from django.apps import apps
    from django.db import router

    try:
        models = apps.get_app_config(label).get_models(include_auto_created=True)
    except LookupError:
        return ()
    return tuple(sorted({router.db_for_write(model) for model in models}))


def _context(
    project: Project,
    label: str,
    events: set[tuple[str, str]],
    aliases: Callable[[str], tuple[str, ...]],
) -> Context:
    d = project.declaration
    package = d.package_of(label)
    public = d.public_modules_of(label)
    return Context(
        name=label,
        package=package,
        aliases=aliases(label),
        tables=tuple(sorted(project.models.tables.get(label, ()))),
        api=tuple(f for module in public for f in sources.api_functions(project, module)),
        api_types=tuple(
            c
            for module in public
            for c in sources.published_classes(project, module)
            if (c.module, c.name) not in events
        ),
        domain=tuple(sources.domain_classes(project, f"{package}.{domain_layer(d)}")),
    )


def domain_layer(d: Declaration) -> str:
    """The layer holding a context's model: its first framework-free layer, or ``domain``."""
    return next((layer for layer in d.framework_free if "." not in layer), "domain")
