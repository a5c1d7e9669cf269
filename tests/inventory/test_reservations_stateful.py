"""Stateful property test of inventory: reserve, release, commit, take back, restock in any order.

Invariants after every step: available is never negative on any sku, what is
reserved equals what held reservations hold, and units are conserved:
on hand + shipped == counted in + restocked for every sku.
"""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from shop.inventory.domain.reservation import (
    Reservation,
    ReservationLine,
    ReservationRefused,
    ReservationStatus,
)
from shop.inventory.domain.stock import StockError, StockItem

SKUS = ["A", "B", "C"]


class Inventory(RuleBasedStateMachine):
    reservations = Bundle("reservations")

    def __init__(self) -> None:
        super().__init__()
        self.stock = {sku: StockItem(sku, on_hand=5) for sku in SKUS}
        self.counted_in = dict.fromkeys(SKUS, 5)
        self.shipped = dict.fromkeys(SKUS, 0)
        self.returned = dict.fromkeys(SKUS, 0)
        self.orders = 0
        self.made: list[Reservation] = []

    @rule(
        target=reservations,
        wanted=st.dictionaries(st.sampled_from(SKUS), st.integers(1, 6), min_size=1),
    )
    def reserve(self, wanted):
        self.orders += 1
        lines = [ReservationLine(sku, qty) for sku, qty in sorted(wanted.items())]
        before = {sku: (i.on_hand, i.reserved) for sku, i in self.stock.items()}
        try:
            reservation = Reservation.hold(f"O-{self.orders}", lines, self.stock)
        except ReservationRefused:
            assert {sku: (i.on_hand, i.reserved) for sku, i in self.stock.items()} == before
            reservation = Reservation.refused(f"O-{self.orders}", lines)
        self.made.append(reservation)
        return reservation

    @rule(reservation=reservations)
    def release(self, reservation):
        was = reservation.status
        try:
            reservation.release(self.stock)
        except StockError:
            assert was is not ReservationStatus.HELD
            return

    @rule(reservation=reservations)
    def take_back(self, reservation):
        was = reservation.status
        try:
            reservation.take_back(self.stock)
        except StockError:
            assert was is not ReservationStatus.COMMITTED
            return
        for line in reservation.lines:
            self.returned[line.sku] += line.quantity

    @rule(reservation=reservations)
    def commit(self, reservation):
        was = reservation.status
        try:
            reservation.commit(self.stock)
        except StockError:
            assert was is not ReservationStatus.HELD
            return
        for line in reservation.lines:
            self.shipped[line.sku] += line.quantity

    @rule(sku=st.sampled_from(SKUS), quantity=st.integers(1, 4))
    def restock(self, sku, quantity):
        self.stock[sku].restock(quantity)
        self.counted_in[sku] += quantity

    @invariant()
    def available_is_never_negative(self):
        assert all(item.available >= 0 for item in self.stock.values())

    @invariant()
    def reserved_is_exactly_what_held_reservations_hold(self):
        for sku, item in self.stock.items():
            held = sum(
                line.quantity
                for r in self.made
                if r.status is ReservationStatus.HELD
                for line in r.lines
                if line.sku == sku
            )
            assert item.reserved == held

    @invariant()
    def units_are_conserved(self):
        for sku, item in self.stock.items():
            assert item.on_hand + self.shipped[sku] == self.counted_in[sku] + self.returned[sku]


TestInventory = Inventory.TestCase
