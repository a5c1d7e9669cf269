"""StockItem: whatever moves arrive, 0 <= reserved <= on_hand, and a refused move changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from shop.inventory.domain.stock import MAX_ON_HAND, InsufficientStock, StockError, StockItem

quantities = st.one_of(st.integers(-3, 40), st.sampled_from([True, False, 1.0, "2", None]))


def is_positive_int(value: object) -> bool:
    return type(value) is int and value > 0


class StockMovements(RuleBasedStateMachine):
    """Random counts, reservations, releases and commits against a plain-number model."""

    @initialize(on_hand=st.integers(0, 40), reserved=st.integers(0, 40))
    def start(self, on_hand: int, reserved: int) -> None:
        reserved = min(reserved, on_hand)
        self.item = StockItem("MUG-1", on_hand=on_hand, reserved=reserved)
        self.on_hand, self.reserved = on_hand, reserved

    def _apply(self, move, allowed: bool, on_hand: int, reserved: int) -> None:
        before = (self.item.on_hand, self.item.reserved)
        if allowed:
            move()
            self.on_hand, self.reserved = on_hand, reserved
        else:
            with pytest.raises(StockError):
                move()
            assert (self.item.on_hand, self.item.reserved) == before

    @rule(on_hand=st.one_of(st.integers(-3, 60), st.just(MAX_ON_HAND + 1), st.just(True)))
    def count(self, on_hand) -> None:
        allowed = type(on_hand) is int and self.reserved <= on_hand <= MAX_ON_HAND
        self._apply(lambda: self.item.count(on_hand), allowed, on_hand, self.reserved)

    @rule(quantity=quantities)
    def reserve(self, quantity) -> None:
        allowed = is_positive_int(quantity) and quantity <= self.on_hand - self.reserved
        self._apply(
            lambda: self.item.reserve(quantity),
            allowed,
            self.on_hand,
            self.reserved + (quantity if allowed else 0),
        )

    @rule(quantity=quantities)
    def release(self, quantity) -> None:
        allowed = is_positive_int(quantity) and quantity <= self.reserved
        self._apply(
            lambda: self.item.release(quantity),
            allowed,
            self.on_hand,
            self.reserved - (quantity if allowed else 0),
        )

    @rule(quantity=quantities)
    def commit(self, quantity) -> None:
        allowed = is_positive_int(quantity) and quantity <= self.reserved
        step = quantity if allowed else 0
        self._apply(
            lambda: self.item.commit(quantity), allowed, self.on_hand - step, self.reserved - step
        )

    @invariant()
    def reserved_is_covered_by_what_is_on_hand(self) -> None:
        assert 0 <= self.item.reserved <= self.item.on_hand

    @invariant()
    def available_is_never_negative(self) -> None:
        assert self.item.available == self.item.on_hand - self.item.reserved >= 0

    @invariant()
    def the_item_matches_the_model(self) -> None:
        assert (self.item.on_hand, self.item.reserved) == (self.on_hand, self.reserved)


TestStockMovements = StockMovements.TestCase


@pytest.mark.parametrize(("on_hand", "reserved"), [(-1, 0), (1, 2), (0, -1), (MAX_ON_HAND + 1, 0)])
def test_a_stock_item_cannot_start_out_of_balance(on_hand, reserved):
    with pytest.raises(StockError):
        StockItem("MUG-1", on_hand=on_hand, reserved=reserved)


def test_reserving_more_than_is_available_names_the_shortfall():
    item = StockItem("MUG-1", on_hand=5, reserved=3)
    with pytest.raises(InsufficientStock) as refused:
        item.reserve(3)
    assert (refused.value.sku, refused.value.requested, refused.value.available) == ("MUG-1", 3, 2)
    assert (item.on_hand, item.reserved) == (5, 3)


def test_a_count_below_what_is_reserved_is_refused():
    item = StockItem("MUG-1", on_hand=5, reserved=3)
    with pytest.raises(StockError, match="reserved"):
        item.count(2)
    assert item.on_hand == 5


def test_committing_takes_reserved_units_off_the_shelf():
    item = StockItem("MUG-1", on_hand=5, reserved=3)
    item.commit(2)
    assert (item.on_hand, item.reserved, item.available) == (3, 1, 2)
