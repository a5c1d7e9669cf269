"""Read side of inventory."""

from shop.inventory.domain.stock import StockItem
from shop.inventory.infrastructure import repository


def stock_item(sku: str) -> StockItem | None:
    return repository.get(sku)
