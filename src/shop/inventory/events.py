"""Inventory's published language: what happened to stock held for orders."""

from shop.platform.events import IntegrationEvent, integration_event

__all__ = ["StockCommitted", "StockReleased", "StockReservationFailed", "StockReserved"]


@integration_event("inventory.StockReserved", subject="order_id")
class StockReserved(IntegrationEvent):
    """Every line of the order is held; `lines` is a tuple of (sku, quantity) pairs."""

    order_id: str
    lines: tuple[tuple[str, int], ...]


@integration_event("inventory.StockReservationFailed", subject="order_id")
class StockReservationFailed(IntegrationEvent):
    """The order could not be held in full, so nothing was held."""

    order_id: str
    reason: str
    skus: tuple[str, ...]


@integration_event("inventory.StockReleased", subject="order_id")
class StockReleased(IntegrationEvent):
    """The stock held for the order is free again."""

    order_id: str


@integration_event("inventory.StockCommitted", subject="order_id")
class StockCommitted(IntegrationEvent):
    """The held stock left the warehouse for a confirmed order: on hand went down."""

    order_id: str
