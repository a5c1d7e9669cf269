"""A dispatched event that never reached its consumer's inbox is sent again, once it is due."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from shop.platform.events import bus, redelivery, worker
from shop.platform.events.inbox import process_due
from shop.platform.events.relay import relay
from shop.platform.events.transports import TRANSPORTS, InlineTransport

from .conftest import FAST_RETRIES, bump, count

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

WAIT = 600


class Marks(dict):
    """Where each store's look got to, kept here instead of in Redis."""

    def set(self, context, until):
        self[context] = until


@pytest.fixture
def marks():
    return Marks()


class Broker:
    """A transport that accepts every message and loses those told to (as Redis may)."""

    def __init__(self) -> None:
        self.lose = True
        self.sent: list[tuple[str, list[str]]] = []

    def send_batch(self, batch) -> None:
        self.sent += [(envelope["id"], consumers) for envelope, consumers in batch]
        if not self.lose:
            InlineTransport().send_batch(batch)


@pytest.fixture
def broker(monkeypatch):
    broker = Broker()
    monkeypatch.setitem(TRANSPORTS, "celery", broker)
    monkeypatch.setattr(worker, "nudge", lambda context=None: None)  # no Celery task here
    settings = {**FAST_RETRIES, "transport": "celery", "redeliver_after_seconds": WAIT}
    with override_settings(SHOP_EVENTS=settings):
        yield broker


@pytest.fixture
def applied(subscriptions):
    def when_catalog_probe_happened_bump(event):
        bump("APPLIED")

    subscriptions(when_catalog_probe_happened_bump)
    return lambda: count("APPLIED")


def outbox():
    catalog = bus.store_of("catalog")
    return catalog.outbox.objects.using(catalog.alias)


def inbox():
    inventory = bus.store_of("inventory")
    return inventory.inbox.objects.using(inventory.alias)


def test_an_event_lost_after_dispatch_is_sent_again_and_applied_once(broker, applied, emit, marks):
    envelope = emit()
    assert relay(bus.store_of("catalog")) == 1  # dispatched: the broker took it...
    assert inbox().count() == 0  # ...and lost it
    dispatched = outbox().get().dispatched_at

    broker.lose = False
    assert (
        redelivery.redeliver_lost(marks=marks, now=dispatched + timedelta(seconds=WAIT - 1)) == 0
    )  # not due yet
    assert redelivery.redeliver_lost(marks=marks, now=dispatched + timedelta(seconds=WAIT + 1)) == 1
    process_due(bus.store_of("inventory"))

    assert broker.sent[-1] == (envelope["id"], ["inventory"])
    assert applied() == 1
    # Looked at again by the next runs: it arrived, nothing more is sent.
    assert redelivery.redeliver_lost(marks=marks, now=dispatched + timedelta(seconds=WAIT + 2)) == 0
    assert applied() == 1


def test_an_event_that_arrived_is_never_sent_again(broker, applied, emit, marks):
    broker.lose = False
    emit()
    relay(bus.store_of("catalog"))
    process_due(bus.store_of("inventory"))
    dispatched = outbox().get().dispatched_at

    assert redelivery.redeliver_lost(marks=marks, now=dispatched + timedelta(seconds=WAIT + 1)) == 0
    assert len(broker.sent) == 1
    assert applied() == 1


def test_runs_missed_while_beat_was_down_are_caught_up(broker, applied, emit, marks):
    emit()
    relay(bus.store_of("catalog"))  # lost
    dispatched = outbox().get().dispatched_at
    marks["catalog"] = dispatched - timedelta(hours=2)  # the last run, long ago
    broker.lose = False

    assert redelivery.redeliver_lost(marks=marks, now=dispatched + timedelta(hours=1)) == 1
    process_due(bus.store_of("inventory"))
    assert applied() == 1


def test_without_a_mark_a_run_looks_back_a_few_periods_only(broker, applied, emit, marks):
    emit()
    relay(bus.store_of("catalog"))
    outbox().update(dispatched_at=timezone.now() - timedelta(days=1))

    assert redelivery.redeliver_lost(marks=marks) == 0
    assert marks["catalog"] > timezone.now() - timedelta(seconds=WAIT + 1)


def test_a_store_whose_consumer_could_not_be_asked_is_looked_at_again(
    broker, applied, emit, marks, monkeypatch
):
    emit()
    relay(bus.store_of("catalog"))  # lost
    dispatched = outbox().get().dispatched_at
    marks["catalog"] = dispatched - timedelta(seconds=1)
    inventory = bus.store_of("inventory")
    healthy = inventory.inbox.objects

    class Down:
        def using(self, alias):
            raise ConnectionError("the inventory store is down")

    monkeypatch.setattr(inventory.inbox, "objects", Down())
    later = dispatched + timedelta(seconds=WAIT + 1)
    assert redelivery.redeliver_lost(marks=marks, now=later) == 0
    assert marks["catalog"] == dispatched - timedelta(seconds=1)  # not moved on

    monkeypatch.setattr(inventory.inbox, "objects", healthy)
    broker.lose = False
    assert redelivery.redeliver_lost(marks=marks, now=later) == 1
    process_due(inventory)
    assert applied() == 1


def test_the_inline_transport_has_nothing_to_redeliver(applied, emit, marks):
    emit()
    relay(bus.store_of("catalog"))
    inbox().delete()  # even so: inline wrote the inbox before it marked the row dispatched

    assert (
        redelivery.redeliver_lost(marks=marks, now=timezone.now() + timedelta(seconds=WAIT + 1))
        == 0
    )
