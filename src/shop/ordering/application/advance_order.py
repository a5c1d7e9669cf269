"""Move an order along the saga as inventory and billing report back."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction

from shop.ordering.application.errors import OrderNotFound
from shop.ordering.domain.order import OrderStatus
from shop.ordering.events import OrderConfirmed
from shop.ordering.infrastructure import DATABASE, repository
from shop.platform.events import RetryLater, publish


class NotYet(RetryLater):
    """The event arrived before the one it depends on; the inbox retries it later."""


def await_payment(order_id: UUID) -> None:
    """Stock is held: the order waits for its payment. A no-op unless still pending."""
    with transaction.atomic(using=DATABASE):
        order = repository.get(order_id, for_update=True)
        if order is None:
            raise OrderNotFound(order_id)
        if order.status is OrderStatus.PENDING:
            order.await_payment()
            repository.save_status(order)


def confirm(order_id: UUID) -> None:
    """Payment captured: confirm the order, once stock is held (else try again later)."""
    with transaction.atomic(using=DATABASE):
        order = repository.get(order_id, for_update=True)
        if order is None:
            raise OrderNotFound(order_id)
        if order.status is OrderStatus.PENDING:
            raise NotYet(f"order {order_id} is paid but its stock is not reported held yet")
        if order.status is OrderStatus.AWAITING_PAYMENT:
            order.confirm()
            repository.save_status(order)
            publish(OrderConfirmed(order_id=str(order.id)))
        # cancelled: billing refunds when it sees OrderCancelled; confirmed: a redelivery
