"""Ordering's open host service: what other contexts may ask of it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from shop.kernel import Money
from shop.ordering.application import queries
from shop.platform import openhost

__all__ = ["OrderSummary", "order_summary"]


@dataclass(frozen=True)
class OrderSummary:
    """Who placed an order, what it costs, and where it stands."""

    order_id: str
    customer_id: int
    status: str
    total: Money


@openhost.query
def order_summary(order_id: str) -> OrderSummary | None:
    """The order's summary, or None if no such order exists (or the id is malformed)."""
    try:
        key = UUID(order_id)
    except ValueError:
        return None
    order = queries.order(key)
    if order is None:
        return None
    return OrderSummary(
        order_id=str(order.id),
        customer_id=order.customer_id,
        status=order.status,
        total=order.total,
    )
