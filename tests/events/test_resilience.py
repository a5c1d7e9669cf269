"""One broken piece never stops the rest: a store down, a malformed envelope, a late handler."""

from __future__ import annotations

import uuid
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connections, transaction

from shop.catalog import api as catalog
from shop.inventory import api as inventory
from shop.ordering import api as ordering
from shop.ordering.application.place_order import PlaceOrder, place_order
from shop.platform.events import bus, integration_event, publish
from shop.platform.events.declaration import IntegrationEvent
from shop.platform.events.inbox import accept, process_due
from shop.platform.events.models import InboxStatus
from shop.platform.events.relay import relay
from shop.platform.events.worker import drain


def take_down(alias: str, monkeypatch) -> None:
    """Point `alias` at a store that cannot be reached (restored after the test)."""
    connection = connections[alias]
    connection.close()
    if connection.vendor == "sqlite":
        monkeypatch.setitem(connection.settings_dict, "NAME", "/nonexistent/dir/down.sqlite3")
    else:
        monkeypatch.setitem(connection.settings_dict, "PORT", "1")


def stocked_order() -> str:
    catalog.add_product(
        sku="MUG", name="Mug", description="", price=Decimal("5.00"), currency="EUR"
    )
    inventory.count_stock(sku="MUG", on_hand=10)
    drain()
    order = place_order(PlaceOrder(customer_id=7, lines=[("MUG", 2)], payment_token="tok_visa"))
    return str(order.id)


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_store_that_is_down_does_not_stop_the_other_contexts_saga(monkeypatch):
    order_id = stocked_order()
    take_down("catalog", monkeypatch)  # the saga never needs catalog's store

    drain()

    assert ordering.order_summary(order_id).status == "confirmed"


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_consumer_store_that_is_down_does_not_keep_the_event_from_the_others(monkeypatch):
    order_id = stocked_order()
    take_down("billing", monkeypatch)

    assert relay(bus.store_of("ordering")) == 0  # not dispatched: billing has no copy yet
    inventory_inbox = bus.store_of("inventory").inbox.objects.using("inventory")
    assert list(inventory_inbox.values_list("subject", flat=True)) == [order_id]
    outbox = bus.store_of("ordering").outbox.objects.using("ordering").get()
    assert outbox.dispatched_at is None and outbox.attempts == 1
    assert "billing" in outbox.last_error


@pytest.mark.django_db(databases="__all__")
def test_a_malformed_envelope_is_parked_and_the_inbox_moves_on():
    order_id = stocked_order()
    malformed = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "ordering",
        "type": "ordering.OrderPlaced",
        "dataversion": 1,
        "subject": "X",
        "sequence": 1,
        "data": None,
    }
    accept(malformed, "inventory")
    relay(bus.store_of("ordering"))

    process_due(bus.store_of("inventory"))

    assert inventory.stock_level("MUG").reserved == 2
    parked = bus.store_of("inventory").inbox.objects.using("inventory").get(subject="X")
    assert parked.status == InboxStatus.PARKED and "cannot decode" in parked.last_error
    assert ordering.order_summary(order_id).status == "pending"  # nothing else touched


@integration_event("catalog.ProbeRenamed", version=2, subject="key")
class ProbeRenamedV2(IntegrationEvent):
    """A version of an event nobody spoke when it was first delivered."""

    key: str


@pytest.mark.django_db(databases="__all__")
def test_an_event_parked_as_unhandled_reaches_a_handler_deployed_later(subscriptions):
    with transaction.atomic(using="catalog"):
        envelope = publish(ProbeRenamedV2(key="K-1"))
    accept(envelope, "inventory")  # nobody in inventory speaks it yet: parked
    seen = []

    def when_catalog_probe_renamed_record(event):
        seen.append(event.key)

    bus.subscribe(ProbeRenamedV2, when_catalog_probe_renamed_record, context="inventory")
    call_command("events", "retry", envelope["id"], stdout=StringIO())
    process_due(bus.store_of("inventory"))

    assert seen == ["K-1"]


@pytest.mark.django_db(databases="__all__")
def test_a_later_event_waits_while_an_earlier_one_of_its_aggregate_is_retried(
    subscriptions, emit, fast_retries, eventually
):
    seen, failures = [], {"left": 1}

    def when_catalog_probe_happened_record(event):
        if event.n == 1 and failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("transient")
        seen.append(event.n)

    subscriptions(when_catalog_probe_happened_record)
    emit("K-1", 1)
    emit("K-1", 2)

    def both_seen():
        drain()
        assert len(seen) == 2

    eventually(both_seen)
    assert seen == [1, 2]
