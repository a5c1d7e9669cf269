"""The saga in celery mode: real Redis, real worker processes, real faults."""

from __future__ import annotations

from decimal import Decimal

import pytest
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
