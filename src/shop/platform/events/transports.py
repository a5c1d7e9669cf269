"""Transports carry envelopes from a relay to the consuming contexts' inboxes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Protocol

from shop.platform.events import inbox
from shop.platform.events.settings import event_settings


class DeliveryFailed(RuntimeError):
    """Some consumers did not get their copy; the relay will send the batch again."""


Batch = list[tuple[dict[str, Any], list[str]]]  # (envelope, consuming contexts)


class Transport(Protocol):
    def send_batch(self, batch: Batch) -> None:
        """Return only once every consumer's copy is safely stored (inbox row or broker)."""


def by_context(batch: Batch) -> dict[str, list[dict[str, Any]]]:
    """Each consuming context's envelopes, in the batch's order (an aggregate's in sequence)."""
    envelopes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for envelope, consumers in batch:
        for context in consumers:
            envelopes[context].append(envelope)
    return dict(envelopes)


class InlineTransport:
    """In-process: write straight into each consuming context's inbox, one insert per context."""

    def send_batch(self, batch: Batch) -> None:
        failed = []
        for context, envelopes in by_context(batch).items():
            try:
                inbox.accept_many(envelopes, context)
            except Exception as exc:  # deliver to the healthy consumers all the same
                failed.append(f"{context}: {type(exc).__name__}: {exc}")
        if failed:
            # The rows stay undispatched; redelivery to those that got them is a no-op.
            raise DeliveryFailed("; ".join(failed))


# The inline transport here; the Celery transport lives with the task that consumes what it
# sends (shop.platform.events.tasks) and registers itself when that module is imported.
TRANSPORTS: dict[str, Transport] = {"inline": InlineTransport()}


def transport() -> Transport:
    name = event_settings().transport
    try:
        return TRANSPORTS[name]
    except KeyError:
        raise ValueError(f"unknown event transport {name!r}") from None
