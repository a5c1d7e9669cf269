"""The CloudEvents 1.0 JSON envelope every integration event travels in.

Extensions carry what a saga needs to be one story: `traceparent` (W3C trace
context), `correlationid` (the request that started it all), `causationid` (the
event that directly caused this one), `sequence` (per aggregate, from 1) and
`dataversion` (the event's schema version).
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

from shop.platform.events.declaration import registry

SPEC_VERSION = "1.0"


class UnknownEventType(LookupError):
    """No class is registered for this type and version in this process."""


def build(
    event: Any,
    *,
    sequence: int,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    traceparent: str | None = None,
) -> dict[str, Any]:
    event_id = str(uuid.uuid4())
    return {
        "specversion": SPEC_VERSION,
        "id": event_id,
        "source": event.source,
        "type": event.event_type,
        "dataversion": event.version,
        "subject": event.subject,
        "time": datetime.now(UTC).isoformat(),
        "datacontenttype": "application/json",
        "data": dataclasses.asdict(event),
        "sequence": sequence,
        # The request (or first event) that started the story this event belongs to.
        "correlationid": correlation_id or event_id,
        "causationid": causation_id or event_id,
        "traceparent": traceparent,
    }


def decode(envelope: dict[str, Any]) -> Any:
    """The event object inside an envelope; raises UnknownEventType if we do not speak it."""
    cls = registry.get(envelope["type"], int(envelope.get("dataversion", 1)))
    if cls is None:
        raise UnknownEventType(f"{envelope['type']} v{envelope.get('dataversion', 1)}")
    return cls(**{k: _frozen(v) for k, v in envelope["data"].items()})


def _frozen(value: Any) -> Any:
    # JSON has only lists; events hold tuples so they stay hashable and immutable.
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value
