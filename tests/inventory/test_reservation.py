"""Reservation.hold reserves every line of an order or none of them."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.inventory.domain.reservation import Reservation, ReservationLine, ReservationStatus
from shop.inventory.domain.stock import InsufficientStock, StockError, StockItem

SKUS = ["MUG-1", "TEA-1", "POT-1"]
UNKNOWN = "GONE-1"


@st.composite
def stock_items(draw) -> dict[str, StockItem]:
    stock = {}
    for sku in SKUS:
        on_hand = draw(st.integers(0, 20))
        stock[sku] = StockItem(sku, on_hand=on_hand, reserved=draw(st.integers(0, on_hand)))
    return stock


lines = st.lists(
    st.builds(
        ReservationLine,
        sku=st.sampled_from([*SKUS, UNKNOWN]),
        quantity=st.one_of(st.integers(-1, 25), st.just(True)),
    ),
    min_size=1,
    max_size=5,
)


def snapshot(stock: dict[str, StockItem]) -> dict[str, StockItem]:
    return {sku: replace(item) for sku, item in stock.items()}


def can_hold(wanted: list[ReservationLine], stock: dict[str, StockItem]) -> bool:
    skus = [line.sku for line in wanted]
    return len(set(skus)) == len(skus) and all(
        type(line.quantity) is int
        and 0 < line.quantity <= (stock[line.sku].available if line.sku in stock else 0)
        for line in wanted
    )


@given(stock_items(), lines)
def test_hold_reserves_all_lines_or_changes_nothing(stock, wanted):
    before = snapshot(stock)
    if can_hold(wanted, stock):
        reservation = Reservation.hold("order-1", wanted, stock)
        assert reservation.status is ReservationStatus.HELD
        assert reservation.lines == tuple(wanted)
        held = {line.sku: line.quantity for line in wanted}
        for sku, item in stock.items():
            assert item.on_hand == before[sku].on_hand
            assert item.reserved == before[sku].reserved + held.get(sku, 0)
    else:
        with pytest.raises(StockError):
            Reservation.hold("order-1", wanted, stock)
        assert stock == before


@given(stock_items(), lines)
def test_releasing_a_hold_restores_the_stock(stock, wanted):
    before = snapshot(stock)
    try:
        reservation = Reservation.hold("order-1", wanted, stock)
    except StockError:
        return
    reservation.release(stock)
    assert stock == before
    assert reservation.status is ReservationStatus.RELEASED


def test_a_shortfall_on_a_later_line_leaves_earlier_lines_unreserved():
    stock = {"MUG-1": StockItem("MUG-1", on_hand=5), "TEA-1": StockItem("TEA-1", on_hand=1)}
    with pytest.raises(InsufficientStock) as refused:
        Reservation.hold(
            "order-1", [ReservationLine("MUG-1", 2), ReservationLine("TEA-1", 2)], stock
        )
    assert refused.value.sku == "TEA-1"
    assert stock["MUG-1"].reserved == 0


def test_an_unknown_sku_is_a_shortfall_and_adds_no_stock_item():
    stock = {"MUG-1": StockItem("MUG-1", on_hand=5)}
    with pytest.raises(InsufficientStock):
        Reservation.hold("order-1", [ReservationLine("GONE-1", 1)], stock)
    assert list(stock) == ["MUG-1"]


def test_the_same_sku_on_two_lines_is_refused_even_if_each_line_fits():
    stock = {"MUG-1": StockItem("MUG-1", on_hand=5)}
    with pytest.raises(StockError):
        Reservation.hold(
            "order-1", [ReservationLine("MUG-1", 3), ReservationLine("MUG-1", 3)], stock
        )
    assert stock["MUG-1"].reserved == 0


@pytest.mark.parametrize("quantity", [0, -1, True])
def test_a_line_that_is_not_a_positive_quantity_is_refused_before_anything_moves(quantity):
    stock = {"MUG-1": StockItem("MUG-1", on_hand=5), "TEA-1": StockItem("TEA-1", on_hand=5)}
    with pytest.raises(StockError):
        Reservation.hold(
            "order-1", [ReservationLine("MUG-1", 2), ReservationLine("TEA-1", quantity)], stock
        )
    assert stock["MUG-1"].reserved == 0


def test_committing_a_hold_takes_the_units_off_the_shelf_once():
    stock = {"MUG-1": StockItem("MUG-1", on_hand=5)}
    reservation = Reservation.hold("order-1", [ReservationLine("MUG-1", 2)], stock)
    reservation.commit(stock)
    assert (stock["MUG-1"].on_hand, stock["MUG-1"].reserved) == (3, 0)
    assert reservation.status is ReservationStatus.COMMITTED
    with pytest.raises(StockError):
        reservation.commit(stock)
    with pytest.raises(StockError):
        reservation.release(stock)
    assert (stock["MUG-1"].on_hand, stock["MUG-1"].reserved) == (3, 0)
