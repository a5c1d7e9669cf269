"""What caused the code now running: the request or the event being handled.

A handler runs with the envelope it handles bound here, so every event it
publishes carries the same correlation id and names this event as its cause.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Causation:
    correlation_id: str | None = None
    event_id: str | None = None
    traceparent: str | None = None


_current: ContextVar[Causation | None] = ContextVar("shop_event_causation", default=None)


def current_causation() -> Causation:
    return _current.get() or Causation()


@contextlib.contextmanager
def caused_by(causation: Causation):
    token = _current.set(causation)
    try:
        yield
    finally:
        _current.reset(token)


def from_envelope(envelope: dict) -> Causation:
    return Causation(
        correlation_id=envelope.get("correlationid"),
        event_id=envelope.get("id"),
        traceparent=envelope.get("traceparent"),
    )
