"""StockItem: the count of one sku on hand and how much of it is promised to orders.

Invariant: 0 <= reserved <= on_hand, so `available = on_hand - reserved` is never negative.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_ON_HAND = 1_000_000_000


class StockError(ValueError):
    """A stock movement that would break the invariant."""


class InsufficientStock(StockError):
    def __init__(self, sku: str, requested: int, available: int):
        super().__init__(f"{sku}: {requested} requested, {available} available")
        self.sku = sku
        self.requested = requested
        self.available = available


def check_quantity(quantity: int) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise StockError(f"quantity must be a positive whole number, not {quantity!r}")
    return quantity


@dataclass
class StockItem:
    sku: str
    on_hand: int = 0
    reserved: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.reserved <= self.on_hand <= MAX_ON_HAND:
            raise StockError(
                f"{self.sku}: need 0 <= reserved ({self.reserved}) <= on_hand ({self.on_hand})"
                f" <= {MAX_ON_HAND}"
            )

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    def count(self, on_hand: int) -> None:
        """Record a stock count; what is already reserved must still be covered."""
        if (
            isinstance(on_hand, bool)
            or not isinstance(on_hand, int)
            or not 0 <= on_hand <= MAX_ON_HAND
        ):
            raise StockError(f"on_hand must be a whole number from 0 to {MAX_ON_HAND}")
        if on_hand < self.reserved:
            raise StockError(
                f"{self.sku}: cannot count {on_hand} on hand while {self.reserved} are reserved"
            )
        self.on_hand = on_hand

    def reserve(self, quantity: int) -> None:
        if check_quantity(quantity) > self.available:
            raise InsufficientStock(self.sku, quantity, self.available)
        self.reserved += quantity

    def release(self, quantity: int) -> None:
        if check_quantity(quantity) > self.reserved:
            raise StockError(
                f"{self.sku}: cannot release {quantity}, only {self.reserved} reserved"
            )
        self.reserved -= quantity

    def restock(self, quantity: int) -> None:
        """Units come back (a return): on hand goes up."""
        if self.on_hand + check_quantity(quantity) > MAX_ON_HAND:
            raise StockError(f"{self.sku}: restocking {quantity} would exceed {MAX_ON_HAND}")
        self.on_hand += quantity

    def commit(self, quantity: int) -> None:
        """Reserved units leave the warehouse: both counts drop."""
        if check_quantity(quantity) > self.reserved:
            raise StockError(f"{self.sku}: cannot commit {quantity}, only {self.reserved} reserved")
        self.reserved -= quantity
        self.on_hand -= quantity
