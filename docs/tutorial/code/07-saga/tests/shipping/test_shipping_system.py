"""The saga reaches shipping, through the API and the event bus as they run in production.

A paid order gets its shipment a moment after ordering confirms it, never before; once
dispatched, shipping's event leaves its outbox. A declined order never reaches shipping.
Nothing here sleeps a guessed time: `eventually` asks again until the answer is there,
as a customer reloading the page would.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from shop.catalog import api as catalog
from shop.inventory import api as inventory
from shop.shipping.application.dispatch_shipment import DispatchShipment, dispatch_shipment
from shop.shipping.infrastructure import DATABASE
from shop.shipping.infrastructure.messaging import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def customer() -> APIClient:
    catalog.add_product(
        sku="MUG-SHIPPING", name="Mug", description="", price=Decimal("12.50"), currency="EUR"
    )
    inventory.count_stock(sku="MUG-SHIPPING", on_hand=5)
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user(username="carol"))
    return client


def place_order(customer: APIClient, payment_token: str) -> str:
    placed = customer.post(
        "/api/v1/orders",
        {"lines": [{"sku": "MUG-SHIPPING", "quantity": 1}], "payment_token": payment_token},
        format="json",
    )
    assert placed.status_code == 201, placed.content
    return placed.json()["id"]


def shipments(customer: APIClient, order_id: str) -> list[str]:
    answer = customer.get(f"/api/v1/shipments?order={order_id}")
    assert answer.status_code == 200, answer.content
    return [row["status"] for row in answer.json()["results"]]


def test_a_paid_order_is_shipped_once_ordering_confirms_it(customer, event_worker, eventually):
    order_id = place_order(customer, "tok_visa")

    def pending():
        assert shipments(customer, order_id) == ["pending"]

    eventually(pending)
    # Shipping opened it on OrderConfirmed, so ordering has confirmed the order by now.
    assert customer.get(f"/api/v1/orders/{order_id}").json()["status"] == "confirmed"

    dispatch_shipment(DispatchShipment(order_id=order_id))

    assert shipments(customer, order_id) == ["dispatched"]

    def handed_on():
        message = OutboxMessage.objects.using(DATABASE).get(
            event_type="shipping.ShipmentDispatched"
        )
        assert message.dispatched_at is not None  # the relay took it out of the outbox

    eventually(handed_on)


def test_a_declined_order_never_reaches_shipping(customer, event_worker, eventually):
    order_id = place_order(customer, "tok_declined")

    def cancelled():
        order = customer.get(f"/api/v1/orders/{order_id}").json()
        assert (order["status"], order["cancellation_reason"]) == (
            "cancelled",
            "payment_declined",
        )

    eventually(cancelled)
    assert shipments(customer, order_id) == []
