"""Fifty customers race for the last ten units: exactly ten win, nobody oversells."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shop.billing.infrastructure.models import InvoiceRecord
from shop.inventory import api as inventory
from shop.ordering.infrastructure.models import OrderRecord

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, databases="__all__")]

CUSTOMERS = 50
UNITS = 10


def test_fifty_customers_ordering_the_last_ten_units_confirm_exactly_ten(stocked, eventually):
    sku = stocked("LAST", on_hand=UNITS)
    users = get_user_model()
    tokens = [
        Token.objects.create(user=users.objects.create_user(f"racer{n}")).key
        for n in range(CUSTOMERS)
    ]

    def order(token: str) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            return client.post(
                "/api/v1/orders",
                {"lines": [{"sku": sku, "quantity": 1}], "payment_token": "tok_visa"},
                format="json",
            ).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(order, tokens))
    assert statuses == [201] * CUSTOMERS

    orders = OrderRecord.objects.using("ordering")

    def all_settled():
        assert orders.filter(status__in=["pending", "awaiting_payment"]).count() == 0

    eventually(all_settled, timeout=120)
    assert orders.filter(status="confirmed").count() == UNITS
    assert orders.filter(status="cancelled", cancellation_reason="out_of_stock").count() == (
        CUSTOMERS - UNITS
    )
    eventually(lambda: _assert(inventory.stock_level(sku).on_hand == 0), timeout=60)
    level = inventory.stock_level(sku)
    assert (level.on_hand, level.reserved, level.available) == (0, 0, 0)
    paid = InvoiceRecord.objects.using("billing").filter(status="paid").count()
    assert paid == UNITS


def _assert(condition: bool) -> bool:
    assert condition
    return condition
