"""Order.place: what a customer may order, with prices frozen at that moment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.kernel import Money
from shop.ordering.domain.order import (
    MAX_LINES,
    MAX_QUANTITY,
    Order,
    OrderError,
    OrderLine,
    OrderStatus,
)

PLACED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def line(sku: str = "MUG-1", quantity: int = 1, price: str = "4.50", currency: str = "EUR"):
    return OrderLine(sku=sku, quantity=quantity, unit_price=Money(price, currency))


def place(lines: list[OrderLine]) -> Order:
    return Order.place(customer_id=7, lines=lines, placed_at=PLACED_AT)


def test_a_new_order_is_pending_without_a_cancellation_reason():
    order = place([line()])
    assert order.status is OrderStatus.PENDING
    assert order.cancellation_reason is None
    assert order.customer_id == 7


def test_an_order_needs_at_least_one_line():
    with pytest.raises(OrderError, match="at least one line"):
        place([])


def test_an_order_has_at_most_the_maximum_number_of_lines():
    place([line(sku=f"SKU-{n}") for n in range(MAX_LINES)])
    with pytest.raises(OrderError, match="at most"):
        place([line(sku=f"SKU-{n}") for n in range(MAX_LINES + 1)])


def test_a_sku_may_appear_on_one_line_only():
    with pytest.raises(OrderError, match="one line only"):
        place([line(sku="MUG-1", quantity=1), line(sku="MUG-1", quantity=2)])


@pytest.mark.parametrize("quantity", [0, -1, MAX_QUANTITY + 1, 10**12])
def test_a_quantity_outside_one_to_the_maximum_is_refused(quantity):
    with pytest.raises(OrderError, match="quantity"):
        line(quantity=quantity)


@pytest.mark.parametrize("quantity", [True, False, 1.0, "1", None])
def test_a_quantity_must_be_a_whole_number_not_a_bool(quantity):
    with pytest.raises(OrderError, match="whole number"):
        line(quantity=quantity)


def test_the_largest_allowed_quantity_is_accepted():
    assert place([line(quantity=MAX_QUANTITY)]).lines[0].quantity == MAX_QUANTITY


def test_a_unit_price_must_be_positive():
    with pytest.raises(OrderError, match="unit price"):
        line(price="0")
    with pytest.raises(OrderError, match="unit price"):
        line(price="-1.00")


def test_lines_priced_in_different_currencies_are_refused():
    with pytest.raises(OrderError, match="one currency"):
        place([line(sku="MUG-1", currency="EUR"), line(sku="TEA-1", currency="USD")])


def test_the_total_is_the_sum_of_the_lines():
    order = place([line(sku="MUG-1", quantity=3, price="4.50"), line(sku="TEA-1", price="0.99")])
    assert order.total == Money("14.49", "EUR")
    assert order.currency == "EUR"


@given(
    st.sampled_from(["EUR", "JPY", "KWD"]),
    st.lists(
        st.tuples(st.integers(1, MAX_QUANTITY), st.integers(1, 10**8)), min_size=1, max_size=10
    ),
)
def test_the_total_is_the_sum_of_quantity_times_unit_price(currency, specs):
    lines = [
        OrderLine(
            sku=f"SKU-{n}", quantity=quantity, unit_price=Money.from_minor_units(units, currency)
        )
        for n, (quantity, units) in enumerate(specs)
    ]
    order = place(lines)
    expected = sum(quantity * units for quantity, units in specs)
    assert order.total == Money.from_minor_units(expected, currency)
    assert order.total.currency == currency
