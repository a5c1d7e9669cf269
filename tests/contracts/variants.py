"""A producer changed behind its consumers' backs, for the canaries: the same DTO or event
with one field renamed, retyped or added, as a developer's edit of the class would make
the producer build it. The classes in src/ are never touched."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

# What makes an integration event one (shop.platform.events.declaration): carried over,
# so the real publish() and envelope code take the variant for the event it stands for.
EVENT_ATTRIBUTES = ("event_type", "version", "source", "subject")


@dataclasses.dataclass(frozen=True)
class Change:
    """One edit of a class: `rename` a field to `to`, `retype` it with `to` (a converter
    such as `str` applied to its value), `drop` it, or `add` a field with `value`."""

    kind: str
    field: str
    to: Any
    value: Any = None

    def __str__(self) -> str:
        return f"{self.kind}-{self.field}"


def rename(field: str, to: str) -> Change:
    return Change("rename", field, to)


def retype(field: str, to: Callable[[Any], Any]) -> Change:
    return Change("retype", field, to)


def drop(field: str) -> Change:
    return Change("drop", field, None)


def add(field: str, value: Any) -> Change:
    return Change("add", field, field, value)


def altered(value: Any, change: Change) -> Any:
    """`value` rebuilt as an instance of its class with `change` made."""
    cls = type(value)
    fields: list[tuple[str, Any]] = []
    values: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        name, hint, item = field.name, field.type, getattr(value, field.name)
        if change.field == name and change.kind == "drop":
            continue
        if change.field == name and change.kind == "rename":
            name = change.to
        elif change.field == name and change.kind == "retype":
            item = change.to(item)
            hint = type(item)
        fields.append((name, hint))
        values[name] = item
    if change.kind == "add":
        fields.append((change.field, type(change.value)))
        values[change.field] = change.value
    namespace = {key: cls.__dict__[key] for key in EVENT_ATTRIBUTES if key in cls.__dict__}
    variant = dataclasses.make_dataclass(cls.__name__, fields, frozen=True, namespace=namespace)
    return variant(**values)


def stand_in(cls: type, change: Change) -> type:
    """A class to put in place of `cls` in its module: constructed as `cls` is, it returns
    the altered copy of what `cls` would have built."""

    class Altered:
        def __new__(cls_, *args: Any, **kwargs: Any) -> Any:
            return altered(cls(*args, **kwargs), change)

    Altered.__name__ = Altered.__qualname__ = cls.__name__
    return Altered
