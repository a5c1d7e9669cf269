"""Relays running side by side never hand the same event on twice (PostgreSQL: SKIP LOCKED)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connections, transaction

from shop.platform.events import bus, publish, transports
from shop.platform.events.relay import relay

from .conftest import ProbeHappened


class CountingTransport:
    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()
        self.lock = threading.Lock()

    def send_batch(self, batch):
        with self.lock:
            for envelope, _ in batch:
                self.sent[envelope["id"]] += 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases="__all__")
def test_two_relays_at_once_dispatch_every_event_exactly_once(monkeypatch, subscriptions):
    def when_catalog_probe_happened_do_nothing(event):
        pass

    subscriptions(when_catalog_probe_happened_do_nothing)  # else the events have nowhere to go
    events = 1500
    with transaction.atomic(using="catalog"):
        ids = [publish(ProbeHappened(key=f"K-{i % 300}", n=i))["id"] for i in range(events)]
    counting = CountingTransport()
    monkeypatch.setitem(transports.TRANSPORTS, "inline", counting)
    store = bus.store_of("catalog")
    start = threading.Barrier(2)
    errors = []

    def run(owner: str) -> None:
        try:
            start.wait()
            while relay(store, limit=25, owner=owner):
                pass
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(f"relay-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(counting.sent) == sorted(ids)
    assert set(counting.sent.values()) == {1}
    assert not store.outbox.objects.using("catalog").filter(dispatched_at__isnull=True).exists()
