"""The event catalogue the generated architecture docs show (contextgate's ``docs_events``).

`catalogue` is the hook: every declared event with the JSON Schema of its data, every
subscription on the bus, and the CloudEvents envelope they travel in, as plain data
(packages/contextgate/docs/generated-docs.md). Contexts register their events when their
``events`` module is imported and subscribe when Django starts, so it imports each
context's ``events`` first and is called only once the apps are ready.

The schema is draft-07 (AsyncAPI 3.0's default schema format), from an event dataclass's
fields and type hints. Events carry primitives only (docs/design.md §4), so the mapping is
small: str, int, float, bool, None, tuples (``tuple[X, ...]`` or fixed ``tuple[A, B]``),
lists, dicts with string keys, enums, literals, unions and nested dataclasses. Anything
else is refused by name, so an event that grows a type no consumer can read fails the
docs rather than drifting from them.
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import importlib.util
import inspect
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from django.apps import apps

from shop.platform.contexts import ContextConfig
from shop.platform.events.bus import bus
from shop.platform.events.declaration import registry
from shop.platform.events.envelope import SPEC_VERSION

SIMPLE = {str: "string", bool: "boolean", int: "integer", float: "number"}
CONTENT_TYPE = "application/cloudevents+json"


def catalogue() -> dict[str, Any]:
    """The events, subscriptions and envelope of every installed context."""
    _import_events_modules()
    return {
        "events": [
            {
                "type": cls.event_type,
                "version": cls.version,
                "context": cls.source,
                "name": cls.__name__,
                "module": cls.__module__,
                "description": docstring(cls),
                "schema": object_schema(cls),
            }
            for cls in registry.all()
        ],
        "listeners": [
            {
                "type": s.event_type,
                "version": s.version,
                "context": s.context,
                "handler": s.handler.__name__,
                "module": s.handler.__module__,
            }
            for s in bus.subscriptions()
        ],
        "envelope": {
            "name": "CloudEventsEnvelope",
            "content_type": CONTENT_TYPE,
            "description": (
                f"Each event travels in a CloudEvents {SPEC_VERSION} envelope: `type` is the "
                "event type, `dataversion` its version, `source` the publishing context, "
                "`subject` the id of the aggregate it is about, and `data` the fields whose "
                "schema is shown below."
            ),
            "schema": envelope_schema(),
            "fields": {
                "type": "type",
                "version": "dataversion",
                "context": "source",
                "data": "data",
            },
        },
    }


def envelope_schema() -> dict[str, Any]:
    """The envelope `envelope.build` writes, with the extensions every event carries."""

    def text(description: str) -> dict[str, str]:
        return {"type": "string", "description": description}

    properties = {
        "specversion": {"const": SPEC_VERSION},
        "id": text("Unique id of this event; consumers deduplicate on it."),
        "source": text("The publishing context."),
        "type": text("The event type, `<context>.<EventName>`."),
        "dataversion": {
            "type": "integer",
            "minimum": 1,
            "description": "Version of the schema of `data`.",
        },
        "subject": text("Id of the aggregate the event is about."),
        "time": {"type": "string", "format": "date-time", "description": "When it happened."},
        "datacontenttype": {"const": "application/json"},
        "data": {"type": "object", "description": "The event's fields."},
        "sequence": {
            "type": "integer",
            "minimum": 1,
            "description": "Position among the events of the same subject, from 1.",
        },
        "correlationid": text("The request or first event of the story this event is part of."),
        "causationid": text("The event (or request) that directly caused this one."),
        "traceparent": {
            "type": ["string", "null"],
            "description": "W3C trace context of the publishing span.",
        },
    }
    return {
        "title": f"CloudEvents {SPEC_VERSION} envelope",
        "type": "object",
        "properties": properties,
        "required": list(properties),
    }


def _import_events_modules() -> None:
    """Each context's ``events`` module, where its events register (as `wiring` finds
    its ``subscribers``)."""
    for config in apps.get_app_configs():
        module = f"{config.name}.events"
        if isinstance(config, ContextConfig) and importlib.util.find_spec(module):
            importlib.import_module(module)


class NoSchema(TypeError):
    """A field's type has no JSON form."""


def object_schema(cls: type) -> dict[str, Any]:
    """The schema of a dataclass's JSON form (``dataclasses.asdict`` then JSON)."""
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    schema: dict[str, Any] = {"title": cls.__name__}
    if description := docstring(cls):
        schema["description"] = description
    schema["type"] = "object"
    schema["properties"] = {
        f.name: type_schema(hints[f.name], f"{cls.__qualname__}.{f.name}") for f in fields
    }
    schema["required"] = [
        f.name
        for f in fields
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]
    schema["additionalProperties"] = False
    return schema


def type_schema(hint: Any, where: str) -> dict[str, Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in SIMPLE:
        return {"type": SIMPLE[hint]}
    if hint is None or hint is type(None):
        return {"type": "null"}
    if origin in (typing.Union, types.UnionType):
        return {"anyOf": [type_schema(arg, where) for arg in args]}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"enum": [member.value for member in hint]}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return object_schema(hint)
    if origin is tuple:
        return _tuple_schema(args, where)
    if origin in (list, Sequence, set, frozenset):
        items = type_schema(args[0], where) if args else {}
        unique = {"uniqueItems": True} if origin in (set, frozenset) else {}
        return {"type": "array", "items": items, **unique}
    if origin in (dict, Mapping) and args and args[0] is str:
        return {"type": "object", "additionalProperties": type_schema(args[1], where)}
    raise NoSchema(f"{where}: {hint!r} has no JSON Schema; events carry primitives only")


def _tuple_schema(args: tuple[Any, ...], where: str) -> dict[str, Any]:
    if len(args) == 2 and args[1] is Ellipsis:
        return {"type": "array", "items": type_schema(args[0], where)}
    return {
        "type": "array",
        "items": [type_schema(arg, where) for arg in args],
        "additionalItems": False,
        "minItems": len(args),
        "maxItems": len(args),
    }


def docstring(obj: Any) -> str:
    """The object's own docstring, cleaned; not the signature dataclasses make up."""
    text = obj.__dict__.get("__doc__") if isinstance(obj, type) else obj.__doc__
    if not text or (isinstance(obj, type) and text.startswith(f"{obj.__name__}(")):
        return ""
    return inspect.cleandoc(text)
