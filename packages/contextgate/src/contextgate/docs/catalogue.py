"""What the docs learn from the event machinery: which events exist and who listens.

The only module of the generator that knows the project's event bus
(`shop.platform.events`): events are classes with ``event_type``, ``version`` and
``source`` (the publishing context), and consumers register handlers by context. A
project with another bus rewrites these two functions; without one, the docs show no
events.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Listener:
    """A context's handler for one event type and version."""

    event_type: str
    version: int
    context: str
    handler: str
    module: str  # where the handler is defined


def event_classes() -> list[type]:
    """Every declared event class, ordered by type and version."""
    events = _bus_module()
    return [] if events is None else list(events.registry.all())


def listeners() -> list[Listener]:
    """Every subscription registered on the bus (contexts subscribe when Django starts)."""
    events = _bus_module()
    if events is None:
        return []
    return sorted(
        Listener(s.event_type, s.version, s.context, s.handler.__name__, s.handler.__module__)
        for s in events.bus.subscriptions()
    )


def _bus_module():
    try:
        return importlib.import_module("shop.platform.events")
    except ImportError:
        return None
