"""What the docs learn of the project's events: the catalogue its hook returns.

contextgate knows no event bus. A project names a function in the ``docs_events`` option
of its ``bounded_contexts`` contract (``package.module:function``); the docs command
imports it once Django is set up, calls it without arguments and reads plain data back
(docs/generated-docs.md has the protocol):

- ``events``: each event type and version, with its publishing context, class name,
  module, description and the JSON Schema of its data;
- ``listeners``: each handler a context registered for an event type and version;
- ``envelope`` (optional): what every event travels in, for the AsyncAPI payloads.

Events and handlers defined outside every declared context (a test's, a sample's) are
left out. Without a hook the docs still map the contexts; their event pages say there is
no catalogue.
"""

from __future__ import annotations

import configparser
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from contextgate.declaration import Declaration

if TYPE_CHECKING:
    from contextgate.project import Project

OPTION = "docs_events"
ENVELOPE_FIELDS = ("type", "version", "context", "data")
TYPES = {"version": int, "schema": dict, "fields": dict}  # every other value is a string


class CatalogueError(Exception):
    """The hook cannot be imported, fails, or returns something else than a catalogue."""


@dataclass(frozen=True)
class Event:
    """One version of one event type."""

    type: str
    version: int
    context: str  # the publishing context
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


@dataclass(frozen=True, order=True)
class Listener:
    """A context's handler for one event type and version."""

    type: str
    version: int
    context: str
    handler: str
    module: str  # where the handler is defined


@dataclass(frozen=True)
class Envelope:
    """What every event travels in: its JSON Schema, and which of its properties hold the
    event's type, version, publishing context and data (``fields``)."""

    name: str
    content_type: str
    description: str
    schema: dict
    fields: dict[str, str]


@dataclass(frozen=True)
class Catalogue:
    events: tuple[Event, ...]
    listeners: tuple[Listener, ...]
    envelope: Envelope | None = None


def hook_path(project: Project) -> str | None:
    """The hook the contract names; read from the file itself while the declaration does
    not carry the option."""
    d = project.declaration
    if hasattr(d, OPTION):
        return getattr(d, OPTION)
    parser = configparser.ConfigParser()
    parser.read(project.path / d.config)
    value = parser.get(f"importlinter:contract:{d.contract_id}", OPTION, fallback="").strip()
    return value or None


def load(project: Project) -> Catalogue | None:
    """The catalogue the project's hook returns, or None when it names none."""
    path = hook_path(project)
    if path is None:
        return None
    hook = _import(path)
    try:
        data = hook()
    except Exception as error:
        raise CatalogueError(f"{OPTION} hook {path} failed: {error!r}") from error
    return read(data, project.declaration, where=path)


def read(data: Any, declaration: Declaration, *, where: str = OPTION) -> Catalogue:
    """A catalogue from the hook's plain data, keeping only the declared contexts' events
    and handlers."""
    if not isinstance(data, Mapping):
        raise CatalogueError(f"{where} returned {type(data).__name__}, not a mapping")
    kept = declaration.context_of
    events = [_record(Event, e, where, "events") for e in data.get("events", ())]
    listeners = [_record(Listener, li, where, "listeners") for li in data.get("listeners", ())]
    envelope = data.get("envelope")
    return Catalogue(
        events=tuple(
            sorted((e for e in events if kept(e.module)), key=lambda e: (e.type, e.version))
        ),
        listeners=tuple(sorted(li for li in listeners if kept(li.module))),
        envelope=None if envelope is None else _envelope(envelope, where),
    )


def _import(path: str) -> Callable[[], Any]:
    module, colon, name = path.partition(":")
    if not colon:
        module, _, name = path.rpartition(".")
    try:
        hook = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError) as error:
        raise CatalogueError(f"{OPTION} = {path} cannot be imported: {error}") from error
    if not callable(hook):
        raise CatalogueError(f"{OPTION} = {path} is not a function")
    return hook


def _record(kind: type, data: Any, where: str, what: str) -> Any:
    names = list(kind.__dataclass_fields__)
    if not isinstance(data, Mapping) or set(names) - set(data):
        raise CatalogueError(f"{where}: each of {what} needs {', '.join(names)}; got {data!r}")
    for name in names:
        expected = TYPES.get(name, str)
        if not isinstance(data[name], expected) or isinstance(data[name], bool):
            raise CatalogueError(
                f"{where}: {name} of {what} must be {expected.__name__}; got {data[name]!r}"
            )
    return kind(**{name: data[name] for name in names})


def _envelope(data: Any, where: str) -> Envelope:
    envelope = _record(Envelope, data, where, "envelope")
    missing = set(ENVELOPE_FIELDS) - set(envelope.fields)
    if missing:
        raise CatalogueError(f"{where}: envelope fields need {', '.join(sorted(missing))}")
    return envelope
