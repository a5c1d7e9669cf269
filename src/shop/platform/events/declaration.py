"""Declaring integration events: frozen dataclasses with a stable type name and a version.

Type names (``ordering.OrderPlaced``), never Python paths, identify events on the wire,
so a class can move or be renamed without breaking a consumer.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, TypeVar

E = TypeVar("E")


class IntegrationEvent:
    """Marker base: every event has `event_type`, `version` and `aggregate_id`."""

    event_type: ClassVar[str]
    version: ClassVar[int]
    source: ClassVar[str]

    @property
    def subject(self) -> str:
        """The id of the aggregate the event is about (CloudEvents `subject`)."""
        raise NotImplementedError


class EventRegistry:
    def __init__(self) -> None:
        self._by_type: dict[tuple[str, int], type] = {}

    def add(self, cls: type) -> None:
        key = (cls.event_type, cls.version)
        if key in self._by_type and self._by_type[key] is not cls:
            raise ValueError(f"two classes declare event type {key}")
        self._by_type[key] = cls

    def get(self, event_type: str, version: int) -> type | None:
        return self._by_type.get((event_type, version))

    def all(self) -> list[type]:
        return sorted(self._by_type.values(), key=lambda c: (c.event_type, c.version))


registry = EventRegistry()


def integration_event(event_type: str, *, version: int = 1, subject: str):
    """Make a class a frozen integration event; `subject` names the field holding the aggregate id."""

    def decorate(cls: type[E]) -> type[E]:
        frozen = dataclasses.dataclass(frozen=True, kw_only=True)(cls)
        source, _, _ = event_type.partition(".")
        frozen.event_type = event_type  # type: ignore[attr-defined]
        frozen.version = version  # type: ignore[attr-defined]
        frozen.source = source  # type: ignore[attr-defined]
        frozen.subject = property(lambda self: str(getattr(self, subject)))  # type: ignore[attr-defined]
        if subject not in {f.name for f in dataclasses.fields(frozen)}:
            raise TypeError(f"{cls.__name__} has no field {subject!r} to use as subject")
        registry.add(frozen)
        return frozen

    return decorate


def to_data(event: Any) -> dict[str, Any]:
    return dataclasses.asdict(event)
