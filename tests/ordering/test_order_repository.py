"""The Order aggregate round-trips through its repository whole, lines in order, in one read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from shop.kernel import Money
from shop.ordering.domain.order import Order, OrderLine
from shop.ordering.infrastructure import DATABASE, repository

pytestmark = pytest.mark.django_db(databases="__all__")


def test_get_reads_the_order_and_its_lines_in_position_order_in_one_statement():
    lines = [
        OrderLine(sku=sku, quantity=quantity, unit_price=Money(price, "EUR"))
        for sku, quantity, price in [
            ("TEA-9", 2, "3.10"),
            ("CUP-1", 1, "12.00"),
            ("MUG-5", 3, "4.50"),
        ]
    ]
    order = Order.place(customer_id=7, lines=lines, placed_at=datetime(2026, 1, 1, tzinfo=UTC))
    repository.add(order, payment_token="tok_visa")

    with CaptureQueriesContext(connections[DATABASE]) as queries:
        loaded = repository.get(order.id, for_update=True)
    assert len(queries) == 1
    assert loaded == order
    assert [line.sku for line in loaded.lines] == ["TEA-9", "CUP-1", "MUG-5"]
    assert loaded.total == Money("31.70", "EUR")
    assert repository.get(order.id, customer_id=8) is None  # another customer's


def test_an_aggregate_without_children_reads_an_empty_list():
    from shop.inventory.infrastructure.models import ReservationLineRecord, ReservationRecord
    from shop.platform.db.children import children_json, loaded

    ReservationRecord.objects.using("inventory").create(order_id="O-1", status="held")
    row = (
        ReservationRecord.objects.using("inventory")
        .annotate(
            lines_json=children_json(
                "inventory",
                ReservationRecord,
                ReservationLineRecord,
                key="reservation",
                columns=["sku", "quantity"],
                order="id",
            )
        )
        .get(order_id="O-1")
    )
    assert loaded(row.lines_json) == []
