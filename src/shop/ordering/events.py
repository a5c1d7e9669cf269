"""Ordering's published language: what happened to customers' orders.

Money travels as a decimal string plus an ISO 4217 code; ids as strings.
"""

from shop.platform.events import IntegrationEvent, integration_event

__all__ = ["OrderCancelled", "OrderConfirmed", "OrderPlaced"]


@integration_event("ordering.OrderPlaced", subject="order_id")
class OrderPlaced(IntegrationEvent):
    """A customer placed an order; `lines` is a tuple of (sku, quantity, unit price) triples."""

    order_id: str
    customer_id: int
    lines: tuple[tuple[str, int, str], ...]
    total: str
    currency: str
    payment_token: str


@integration_event("ordering.OrderConfirmed", subject="order_id")
class OrderConfirmed(IntegrationEvent):
    """The order is paid for and its stock is held: it will be shipped."""

    order_id: str


@integration_event("ordering.OrderCancelled", subject="order_id")
class OrderCancelled(IntegrationEvent):
    """The order will not be fulfilled; `reason` is one of the cancellation reasons."""

    order_id: str
    reason: str
