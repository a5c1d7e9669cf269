"""Record how many units of a sku are on hand (a stock count or a delivery)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from shop.catalog import api as catalog
from shop.inventory.domain.stock import StockItem
from shop.inventory.infrastructure import DATABASE, repository


class UnknownSku(LookupError):
    def __init__(self, sku: str):
        super().__init__(f"The catalog has no product with sku {sku}.")
        self.sku = sku


@dataclass(frozen=True, kw_only=True)
class CountStock:
    sku: str
    on_hand: int


def count_stock(command: CountStock) -> StockItem:
    if not catalog.product_exists(command.sku):
        raise UnknownSku(command.sku)
    with transaction.atomic(using=DATABASE):
        item = repository.get(command.sku, for_update=True) or StockItem(command.sku)
        item.count(command.on_hand)
        repository.save(item)
    return item
