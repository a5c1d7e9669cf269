"""Inventory's open host service: what other contexts may ask of it.

Returns frozen dataclasses only. Stock held for orders changes through events,
never through calls: only a stock count can be recorded from outside.
"""

from __future__ import annotations

from dataclasses import dataclass

from shop.inventory.application import queries
from shop.inventory.application.count_stock import CountStock
from shop.inventory.application.count_stock import count_stock as _count_stock
from shop.inventory.domain.stock import StockItem
from shop.platform import openhost

__all__ = ["StockLevel", "count_stock", "stock_level"]


@dataclass(frozen=True)
class StockLevel:
    """How many units of a sku are on hand, promised to orders, and free to promise."""

    sku: str
    on_hand: int
    reserved: int
    available: int


@openhost.query
def stock_level(sku: str) -> StockLevel | None:
    """The current stock of `sku`, or None if inventory has never counted it."""
    item = queries.stock_item(sku)
    return None if item is None else _level(item)


@openhost.command
def count_stock(*, sku: str, on_hand: int) -> StockLevel:
    """Record a stock count for a catalog sku. Raises LookupError for an unknown sku and
    ValueError if `on_hand` would not cover what is already reserved."""
    return _level(_count_stock(CountStock(sku=sku, on_hand=on_hand)))


def _level(item: StockItem) -> StockLevel:
    return StockLevel(
        sku=item.sku, on_hand=item.on_hand, reserved=item.reserved, available=item.available
    )
