"""A burst: fifty customers race for the last ten units; exactly ten win, nobody oversells."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from .test_order_saga import _assert, invoice_status, order_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, databases="__all__")]

CUSTOMERS = 50
UNITS = 10


def test_fifty_customers_ordering_the_last_ten_units_confirm_exactly_ten(
    shop, stocked, stock_of, eventually
):
    sku = stocked("LAST", on_hand=UNITS)
    customers = shop.customers(CUSTOMERS)

    def order(client) -> tuple[int, str]:
        try:
            answer = client.post(
                "/api/v1/orders",
                {"lines": [{"sku": sku, "quantity": 1}], "payment_token": "tok_visa"},
                format="json",
            )
            return answer.status_code, answer.json().get("id")
        finally:
            connections.close_all()  # the in-process client uses this thread's connections

    with ThreadPoolExecutor(max_workers=10) as pool:
        placed = list(pool.map(order, customers))
    assert [status for status, _ in placed] == [201] * CUSTOMERS
    orders = [(client, order_id) for client, (_, order_id) in zip(customers, placed, strict=True)]

    def outcomes() -> Counter:
        seen = Counter()
        for client, order_id in orders:
            found = order_of(client, order_id)
            seen[(found["status"], found["cancellation_reason"])] += 1
        assert not {status for status, _ in seen} & {"pending", "awaiting_payment"}, seen
        return seen

    assert eventually(outcomes, timeout=120, interval=0.5) == {
        ("confirmed", None): UNITS,
        ("cancelled", "out_of_stock"): CUSTOMERS - UNITS,
    }
    eventually(lambda: _assert(stock_of(sku).on_hand == 0), timeout=60)
    level = stock_of(sku)
    assert (level.on_hand, level.reserved, level.available) == (0, 0, 0)

    def invoices() -> Counter:
        seen = Counter(invoice_status(client, order_id) for client, order_id in orders)
        assert set(seen) <= {"paid", "void"}, seen
        return seen

    assert eventually(invoices, timeout=60, interval=0.5) == {
        "paid": UNITS,
        "void": CUSTOMERS - UNITS,
    }
