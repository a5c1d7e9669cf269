"""Reservation: the stock held for one order, all lines or none."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shop.inventory.domain.stock import InsufficientStock, StockError, StockItem, check_quantity


class ReservationRefused(InsufficientStock):
    """Some lines could not be held; `shortfalls` lists every one of them."""

    def __init__(self, shortfalls: list[InsufficientStock]):
        first = shortfalls[0]
        super().__init__(first.sku, first.requested, first.available)
        self.shortfalls = shortfalls

    @property
    def skus(self) -> tuple[str, ...]:
        return tuple(s.sku for s in self.shortfalls)


class ReservationStatus(StrEnum):
    HELD = "held"
    RELEASED = "released"
    COMMITTED = "committed"
    REFUSED = "refused"  # could not be held in full; nothing was held
    RETURNED = "returned"  # committed, then the order was cancelled: units back on hand


@dataclass(frozen=True)
class ReservationLine:
    sku: str
    quantity: int


@dataclass
class Reservation:
    order_id: str
    lines: tuple[ReservationLine, ...]
    status: ReservationStatus = ReservationStatus.HELD

    @classmethod
    def hold(
        cls, order_id: str, lines: list[ReservationLine], stock: dict[str, StockItem]
    ) -> Reservation:
        """Reserve every line or none: on any shortfall no StockItem is changed."""
        skus = [line.sku for line in lines]
        if len(set(skus)) != len(skus):
            raise StockError(f"order {order_id}: each sku may appear on one line only")
        for line in lines:
            check_quantity(line.quantity)
        shortfalls = []
        for line in lines:
            item = stock.get(line.sku) or StockItem(line.sku)
            if line.quantity > item.available:
                shortfalls.append(InsufficientStock(line.sku, line.quantity, item.available))
        if shortfalls:
            raise ReservationRefused(shortfalls)
        for line in lines:
            stock[line.sku].reserve(line.quantity)
        return cls(order_id=order_id, lines=tuple(lines))

    @classmethod
    def refused(cls, order_id: str, lines: list[ReservationLine]) -> Reservation:
        """The record of a reservation that could not be held (so a redelivery does not retry it)."""
        return cls(order_id=order_id, lines=tuple(lines), status=ReservationStatus.REFUSED)

    def release(self, stock: dict[str, StockItem]) -> None:
        """Free held stock: the order will not be fulfilled."""
        self._settle(ReservationStatus.RELEASED, stock, StockItem.release)

    def take_back(self, stock: dict[str, StockItem]) -> None:
        """A committed (shipped) order was cancelled by its customer: the units return."""
        if self.status is not ReservationStatus.COMMITTED:
            raise StockError(f"reservation for {self.order_id} is {self.status}, not committed")
        for line in self.lines:
            stock[line.sku].restock(line.quantity)
        self.status = ReservationStatus.RETURNED

    def commit(self, stock: dict[str, StockItem]) -> None:
        self._settle(ReservationStatus.COMMITTED, stock, StockItem.commit)

    def _settle(self, outcome: ReservationStatus, stock: dict[str, StockItem], move) -> None:
        if self.status is not ReservationStatus.HELD:
            raise StockError(f"reservation for {self.order_id} is already {self.status}")
        for line in self.lines:
            move(stock[line.sku], line.quantity)
        self.status = outcome
