"""Fixtures for testing the event bus itself with probe events and handlers.

A probe event is published from catalog's store and handled in inventory's store;
a handler's observable effect is a counter row in inventory's own table, written
in the handler's transaction, so "applied once" is a number we can read back.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction
from django.db.models import F
from django.test import override_settings

from shop.inventory.infrastructure.models import StockItemRecord
from shop.platform.events import bus, integration_event, publish
from shop.platform.events.declaration import IntegrationEvent

FAST_RETRIES = {
    "transport": "inline",
    "max_attempts": 4,
    "backoff_base_seconds": 0.001,
    "backoff_max_seconds": 0.01,
    "lease_seconds": 30,
    "batch_size": 200,
    "sweep_seconds": 0.05,
}


@integration_event("catalog.ProbeHappened", subject="key")
class ProbeHappened(IntegrationEvent):
    """A test-only event about the aggregate `key`."""

    key: str
    n: int = 0


def bump(counter: str) -> None:
    """The probe handlers' effect: +1 on a counter row in inventory's store."""
    rows = StockItemRecord.objects.using("inventory")
    if not rows.filter(sku=counter).update(on_hand=F("on_hand") + 1):
        rows.create(sku=counter, on_hand=1)


def count(counter: str) -> int:
    row = StockItemRecord.objects.using("inventory").filter(sku=counter).first()
    return row.on_hand if row else 0


@pytest.fixture
def subscriptions():
    """Subscribe probe handlers for one test; the bus is restored afterwards."""
    by_type = {k: list(v) for k, v in bus._by_type.items()}
    by_name = dict(bus._by_name)

    def subscribe(handler: Callable, *, context: str = "inventory") -> str:
        bus.subscribe(ProbeHappened, handler, context=context)
        return f"{context}.{handler.__name__}"

    yield subscribe
    bus._by_type.clear()
    bus._by_type.update(by_type)
    bus._by_name.clear()
    bus._by_name.update(by_name)


@pytest.fixture
def fast_retries():
    with override_settings(SHOP_EVENTS=FAST_RETRIES):
        yield FAST_RETRIES


@pytest.fixture
def emit():
    def emit(key: str = "K-1", n: int = 0) -> dict:
        with transaction.atomic(using="catalog"):
            return publish(ProbeHappened(key=key, n=n))

    return emit
