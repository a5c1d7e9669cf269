"""Place an order at the catalog's current prices."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from shop.catalog import api as catalog
from shop.ordering.application.errors import ProductsUnavailable, UnknownProducts
from shop.ordering.domain.order import Order, OrderLine
from shop.ordering.events import OrderPlaced
from shop.ordering.infrastructure import DATABASE, repository
from shop.platform.events import publish


@dataclass(frozen=True, kw_only=True)
class PlaceOrder:
    customer_id: int
    lines: list[tuple[str, int]]  # (sku, quantity)
    payment_token: str


def place_order(command: PlaceOrder) -> Order:
    """Freeze each line's price from the catalog, store the order as pending, announce it."""
    quotes = catalog.quote(sku for sku, _ in command.lines)
    unknown = [sku for sku, _ in command.lines if sku not in quotes]
    if unknown:
        raise UnknownProducts(unknown)
    retired = [sku for sku, _ in command.lines if not quotes[sku].active]
    if retired:
        raise ProductsUnavailable(retired)
    order = Order.place(
        customer_id=command.customer_id,
        lines=[
            OrderLine(sku=sku, quantity=qty, unit_price=quotes[sku].unit_price)
            for sku, qty in command.lines
        ],
        placed_at=timezone.now(),
    )
    with transaction.atomic(using=DATABASE):
        repository.add(order, payment_token=command.payment_token)
        publish(
            OrderPlaced(
                order_id=str(order.id),
                customer_id=order.customer_id,
                lines=tuple((ln.sku, ln.quantity, str(ln.unit_price.amount)) for ln in order.lines),
                total=str(order.total.amount),
                currency=order.currency,
                payment_token=command.payment_token,
            )
        )
    return order
