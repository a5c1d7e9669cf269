"""Redelivery asks a consumer hosted by another service through that service.

A consumer elsewhere is asked over its internal endpoint; one that cannot be asked is
asked again next run and never stops the run for the others.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.test import override_settings

from shop.platform.events import bus, redelivery, worker
from shop.platform.events.relay import relay
from shop.platform.events.transports import TRANSPORTS
from shop.platform.openhost import signing
from shop.platform.topology import Service, Topology

from .conftest import FAST_RETRIES

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

WAIT = 600


class Marks(dict):
    def set(self, context, until):
        self[context] = until


class Broker:
    def __init__(self) -> None:
        self.sent: list[tuple[str, list[str]]] = []

    def send_batch(self, batch) -> None:
        self.sent += [(envelope["id"], consumers) for envelope, consumers in batch]


class InventoryService:
    """Another service hosting inventory: answers which events its inbox holds."""

    def __init__(self, holds: set[str]) -> None:
        self.holds, self.asked = holds, []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.asked.append(
                    (self.path, self.headers.get(signing.HEADER), json.loads(body))
                )
                answer = json.dumps({"result": sorted(service.holds)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def inventory_at(url: str) -> Topology:
    return Topology(
        services=(
            Service("shop", ("identity", "catalog", "ordering", "billing"), "http://127.0.0.1:9"),
            Service("stock", ("inventory",), url),
        ),
        this="shop",
    )


@pytest.fixture
def broker(monkeypatch):
    broker = Broker()
    monkeypatch.setitem(TRANSPORTS, "celery", broker)
    monkeypatch.setattr(worker, "nudge", lambda context=None: None)
    conf = {**FAST_RETRIES, "transport": "celery", "redeliver_after_seconds": WAIT}
    fast = {**settings.SHOP_OPENHOST, "retries": 0, "connect_timeout": 0.5, "read_timeout": 1}
    with override_settings(SHOP_EVENTS=conf, SHOP_OPENHOST=fast):
        yield broker


@pytest.fixture
def consumers(subscriptions):
    subscriptions(lambda event: None, context="inventory")
    subscriptions(lambda event: None, context="ordering")


def dispatched(emit):
    envelope = emit()
    relay(bus.store_of("catalog"))
    catalog = bus.store_of("catalog")
    row = catalog.outbox.objects.using(catalog.alias).get(id=envelope["id"])
    return envelope, row.dispatched_at + timedelta(seconds=WAIT + 1)


def test_a_consumer_in_another_service_is_asked_there(broker, consumers, emit):
    service = InventoryService(holds=set())
    try:
        envelope, due = dispatched(emit)
        broker.sent.clear()
        with override_settings(SHOP_TOPOLOGY=inventory_at(service.url)):
            assert redelivery.redeliver_lost(marks=Marks(), now=due) == 2
    finally:
        service.close()
    assert sorted(broker.sent) == [(envelope["id"], ["inventory"]), (envelope["id"], ["ordering"])]
    path, signature, body = service.asked[0]
    assert path == "/_internal/events/inventory/arrived"
    assert signature and body == {"event_ids": [envelope["id"]]}


def test_an_event_the_other_service_holds_is_not_sent_again(broker, consumers, emit):
    envelope, due = None, None
    service = InventoryService(holds=set())
    try:
        envelope, due = dispatched(emit)
        service.holds = {envelope["id"]}
        broker.sent.clear()
        with override_settings(SHOP_TOPOLOGY=inventory_at(service.url)):
            redelivery.redeliver_lost(marks=Marks(), now=due)
    finally:
        service.close()
    assert broker.sent == [(envelope["id"], ["ordering"])]


def test_a_consumer_that_cannot_be_asked_stops_nobody_and_is_asked_again(broker, consumers, emit):
    service = InventoryService(holds=set())
    url = service.url
    service.close()  # that service is down
    envelope, due = dispatched(emit)
    broker.sent.clear()
    marks = Marks()
    with override_settings(SHOP_TOPOLOGY=inventory_at(url)):
        assert redelivery.redeliver_lost(marks=marks, now=due) == 1
    assert broker.sent == [(envelope["id"], ["ordering"])]
    assert "catalog" not in marks  # not all asked: the same rows are looked at next run


def test_the_internal_endpoint_answers_for_a_hosted_inbox_and_only_when_signed(
    client, consumers, emit
):
    from shop.platform.events.inbox import accept

    held = emit()
    accept(held, "inventory")
    missing = "6f1c1b7e-1b7e-4b7e-9b7e-1b7e1b7e1b7e"
    path = "/_internal/events/inventory/arrived"
    body = json.dumps({"event_ids": [held["id"], missing]}).encode()
    secret = settings.SHOP_OPENHOST["secret"]
    signed = {"HTTP_X_SHOP_SIGNATURE": signing.sign(secret, "POST", path, body)}
    ok = client.post(path, body, content_type="application/json", **signed)
    assert (ok.status_code, ok.json()) == (200, {"result": [held["id"]]})
    assert client.post(path, body, content_type="application/json").status_code == 401
    with override_settings(SHOP_TOPOLOGY=inventory_at("http://127.0.0.1:9")):
        elsewhere = client.post(path, body, content_type="application/json", **signed)
    assert elsewhere.status_code == 404
