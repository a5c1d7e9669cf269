"""Cancel orders that waited for their payment past the deadline (a saga timeout).

Pending orders count too: an order whose stock or payment news never came (a
handler parked dead) must not hang forever with, perhaps, the money taken;
cancelling it makes billing refund and inventory release whatever they hold.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from shop.ordering.application.cancel_order import cancel_if_open
from shop.ordering.domain.order import CancellationReason, OrderStatus
from shop.ordering.infrastructure import repository


def cancel_overdue_orders(*, limit: int = 500) -> int:
    deadline = timezone.now() - timedelta(seconds=settings.SHOP_PAYMENT_DEADLINE_SECONDS)
    overdue = list(
        repository.rows()
        .filter(
            status__in=[OrderStatus.PENDING, OrderStatus.AWAITING_PAYMENT],
            updated_at__lt=deadline,
        )
        .values_list("id", flat=True)[:limit]
    )
    for order_id in overdue:
        cancel_if_open(order_id, CancellationReason.PAYMENT_TIMEOUT)
    return len(overdue)
