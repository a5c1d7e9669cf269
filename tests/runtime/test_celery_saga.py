"""The saga in celery mode: real Redis, real worker processes, real faults."""

from __future__ import annotations

from decimal import Decimal

import pytest
import redis
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shop.billing import api as billing
from shop.catalog import api as catalog
from shop.inventory import api as inventory
from shop.ordering import api as ordering
from shop.platform.events import bus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, databases="__all__")]


@pytest.fixture
def shopper():
    user = get_user_model().objects.create_user("dora")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    catalog.add_product(
        sku="MUG", name="Mug", description="", price=Decimal("3.00"), currency="EUR"
    )
    inventory.count_stock(sku="MUG", on_hand=10)
    return client


def place(client, quantity=1, token="tok_visa") -> str:  # noqa: S107 - a fake provider token
    response = client.post(
        "/api/v1/orders",
        {"lines": [{"sku": "MUG", "quantity": quantity}], "payment_token": token},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def status_is(order_id: str, expected: str):
    def check():
        assert ordering.order_summary(order_id).status == expected

    return check


def test_orders_settle_through_a_real_celery_worker(shopper, start_worker, eventually):
    start_worker()
    paid = place(shopper, 2)
    declined = place(shopper, 1, token="tok_declined")
    too_many = place(shopper, 50)

    eventually(status_is(paid, "confirmed"), timeout=60)
    eventually(status_is(declined, "cancelled"), timeout=60)
    eventually(status_is(too_many, "cancelled"), timeout=60)
    eventually(lambda: _assert(inventory.stock_level("MUG").on_hand == 8), timeout=60)
    assert billing.invoice_for_order(paid).status == "paid"
    eventually(lambda: _assert(billing.invoice_for_order(declined).status == "void"), timeout=60)


def test_orders_placed_while_redis_is_down_complete_once_it_is_back(
    shopper, start_worker, celery_mode, eventually
):
    start_worker()
    celery_mode.stop()

    order_ids = [place(shopper) for _ in range(3)]  # the API keeps answering 201

    assert {ordering.order_summary(o).status for o in order_ids} == {"pending"}
    celery_mode.start()
    for order_id in order_ids:
        eventually(status_is(order_id, "confirmed"), timeout=90)
    eventually(lambda: _assert(inventory.stock_level("MUG").on_hand == 7), timeout=60)


def test_a_worker_killed_mid_handler_redelivers_and_applies_the_effect_once(
    shopper, start_worker, eventually
):
    charge = "billing.when_inventory_stock_reserved_charge_payment"
    slow = start_worker(SHOP_FAKE_PAYMENTS_LATENCY_SECONDS="30", SHOP_LOG_LEVEL="DEBUG")
    order_id = place(shopper, 3)

    def charging():
        assert any(
            line.get("event") == "handler started" and line.get("handler") == charge
            for line in slow.lines()
        )

    eventually(charging, timeout=60)
    eventually(status_is(order_id, "awaiting_payment"), timeout=60)
    slow.kill()  # SIGKILL while the provider call is in flight: its transaction dies with it
    assert billing.invoice_for_order(order_id).status == "open"

    start_worker()

    eventually(status_is(order_id, "confirmed"), timeout=90)
    eventually(lambda: _assert(inventory.stock_level("MUG").on_hand == 7), timeout=60)
    level = inventory.stock_level("MUG")
    assert (level.on_hand, level.reserved) == (7, 0)  # reserved and committed exactly once
    assert billing.invoice_for_order(order_id).status == "paid"
    captured = (
        bus.store_of("billing")
        .outbox.objects.using("billing")
        .filter(event_type="billing.PaymentCaptured", subject=order_id)
    )
    assert captured.count() == 1


def test_a_worker_restarted_with_a_full_queue_loses_nothing(shopper, start_worker, eventually):
    # Messages a SIGKILLed worker had taken but not acknowledged come back after the
    # broker's visibility timeout: shortened here (production: over the longest retry
    # delay) so the test sees the redelivery in seconds.
    quick = {"SHOP_CELERY_VISIBILITY_TIMEOUT": "5"}
    order_ids = [place(shopper) for _ in range(5)]  # nobody consumes yet: messages wait
    first = start_worker(**quick)
    eventually(
        lambda: _assert(any(line.get("event") == "handler finished" for line in first.lines()))
    )
    first.kill()
    start_worker(**quick)

    for order_id in order_ids:
        eventually(status_is(order_id, "confirmed"), timeout=90)
    eventually(lambda: _assert(inventory.stock_level("MUG").on_hand == 5), timeout=60)
    assert inventory.stock_level("MUG").reserved == 0


def _assert(condition: bool) -> bool:
    assert condition
    return condition


def _assert(condition: bool) -> bool:
    assert condition
    return condition


def test_a_worker_survives_redis_being_killed(shopper, start_worker, celery_mode, eventually):
    charge = "billing.when_inventory_stock_reserved_charge_payment"
    # A slow provider keeps a message taken and unacknowledged when Redis dies, while the
    # worker waits on Redis (a BRPOP) for the next one: the state in which the stock kombu
    # transport crashed the worker when the loss was noticed on its remote-control mailbox
    # connection before the BRPOP one (shop.platform.events.broker). Which socket of a
    # killed server a worker notices first is up to the kernel; dropping the mailbox's
    # connection a moment before the SIGKILL makes it that one, every time. Four pool
    # processes: the sweeps beat sends never take every slot, so the BRPOP is in flight.
    worker = start_worker(
        concurrency=4, SHOP_FAKE_PAYMENTS_LATENCY_SECONDS="2", SHOP_LOG_LEVEL="DEBUG"
    )
    order_ids = []

    def count(text: str, handler: str | None = None) -> int:
        if worker.process.poll() is not None:  # fail now, not after waiting for nothing
            pytest.fail("the worker exited:\n" + worker.log.read_text(errors="replace")[-4000:])
        return sum(
            1
            for line in worker.lines()
            if text in line.get("event", "") and line.get("handler") == handler
        )

    def kill_redis_under_a_held_message(mailbox_first: bool) -> None:
        charging, failures = count("handler started", charge), count("Cannot connect to")
        order_ids.append(place(shopper))
        eventually(lambda: _assert(count("handler started", charge) > charging), timeout=60)
        broker = redis.Redis.from_url(celery_mode.url)
        # Only the charge is held (taken, unacknowledged): the sweeps in between are done.
        eventually(lambda: _assert(broker.hlen("unacked") == 1), timeout=60)
        if mailbox_first:
            broker.client_kill_filter(_type="pubsub")
        celery_mode.kill()  # SIGKILL: no reply, no clean close, every socket reset at once
        order_ids.append(place(shopper))  # the API keeps answering 201 while Redis is gone
        # The worker saw the loss, tore its connection down and failed to reconnect once.
        eventually(lambda: _assert(count("Cannot connect to") > failures), timeout=60)
        celery_mode.start()  # the same port, empty: what Redis held is gone

    kill_redis_under_a_held_message(mailbox_first=True)
    kill_redis_under_a_held_message(mailbox_first=False)

    for order_id in order_ids:
        eventually(status_is(order_id, "confirmed"), timeout=90)
    after = place(shopper)
    eventually(status_is(after, "confirmed"), timeout=90)
    assert count("Unrecoverable error") == 0
    placed = len(order_ids) + 1
    eventually(lambda: _assert(inventory.stock_level("MUG").on_hand == 10 - placed), timeout=60)
    assert inventory.stock_level("MUG").reserved == 0  # each order applied once
