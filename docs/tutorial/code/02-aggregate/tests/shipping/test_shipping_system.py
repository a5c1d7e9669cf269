"""The saga reaches shipping: an order placed over HTTP gets its shipment, eventually."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from shop.catalog import api as catalog
from shop.inventory import api as inventory

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def test_a_placed_order_gets_its_shipment(event_worker, eventually):
    catalog.add_product(
        sku="MUG-SHIPPING", name="Mug", description="", price=Decimal("12.50"), currency="EUR"
    )
    inventory.count_stock(sku="MUG-SHIPPING", on_hand=5)
    customer = APIClient()
    customer.force_authenticate(get_user_model().objects.create_user(username="carol"))
    placed = customer.post(
        "/api/v1/orders",
        {"lines": [{"sku": "MUG-SHIPPING", "quantity": 1}], "payment_token": "tok_visa"},
        format="json",
    )
    assert placed.status_code == 201, placed.content
    order_id = placed.json()["id"]

    def opened():
        answer = customer.get(f"/api/v1/shipments?order={order_id}")
        assert answer.status_code == 200, answer.content
        found = answer.json()["results"]
        assert [row["status"] for row in found] == ["pending"]

    eventually(opened)
