"""Cancel an order: by its customer, or by the saga (out of stock, declined, timed out)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db import transaction

from shop.ordering.application.errors import OrderNotFound
from shop.ordering.domain.order import CancellationReason, Order, OrderStatus
from shop.ordering.events import OrderCancelled
from shop.ordering.infrastructure import DATABASE, repository
from shop.platform.events import publish


@dataclass(frozen=True, kw_only=True)
class CancelOrder:
    order_id: UUID
    reason: CancellationReason = CancellationReason.CUSTOMER_CANCELLED
    customer_id: int | None = None  # set when a customer asks: only their own orders


def cancel_order(command: CancelOrder) -> Order:
    """Raises OrderNotFound, or IllegalTransition if the order cannot be cancelled (any more)."""
    with transaction.atomic(using=DATABASE):
        order = repository.get(command.order_id, customer_id=command.customer_id, for_update=True)
        if order is None:
            raise OrderNotFound(command.order_id)
        order.cancel(command.reason)
        repository.save_status(order)
        publish(OrderCancelled(order_id=str(order.id), reason=command.reason.value))
    return order


def cancel_if_open(order_id: UUID, reason: CancellationReason) -> None:
    """The saga's cancel: a no-op for an order already cancelled or confirmed."""
    with transaction.atomic(using=DATABASE):
        order = repository.get(order_id, for_update=True)
        if order is None:
            raise OrderNotFound(order_id)  # not stored yet here: retried later
        if order.status in (OrderStatus.CANCELLED, OrderStatus.CONFIRMED):
            return
        cancel_order(CancelOrder(order_id=order_id, reason=reason))
