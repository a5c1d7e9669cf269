"""What an order's saga waits for next, for the operator console's timeline.

Registered from subscribers.py (`wiring.expect`). The platform asks with any subject id;
what is not an order of ours is None, and so is an order that waits for nothing
(confirmed, cancelled).
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from django.conf import settings

from shop.billing.events import PaymentCaptured, PaymentFailed
from shop.inventory.events import StockReservationFailed, StockReserved
from shop.ordering.domain.order import OrderStatus
from shop.ordering.infrastructure import repository
from shop.platform.console.expectations import Expectation


def next_step(subject: str) -> Expectation | None:
    try:
        order_id = UUID(subject)
    except ValueError:
        return None
    found = repository.life_cycle(order_id)
    if found is None:
        return None
    status, placed_at, updated_at = found
    # cancel_overdue_orders cancels an order still open this long after its last change.
    deadline = updated_at + timedelta(seconds=settings.SHOP_PAYMENT_DEADLINE_SECONDS)
    if status == OrderStatus.PENDING:
        return Expectation(
            what=f"the order is pending: waiting for inventory to hold its stock "
            f"({StockReserved.event_type} or {StockReservationFailed.event_type}); "
            "cancelled as payment_timeout if still pending at the deadline",
            since=placed_at,
            deadline=deadline,
        )
    if status == OrderStatus.AWAITING_PAYMENT:
        return Expectation(
            what=f"the order is awaiting payment: waiting for billing's charge "
            f"({PaymentCaptured.event_type} or {PaymentFailed.event_type}); "
            "cancelled as payment_timeout if still unpaid at the deadline",
            since=updated_at,
            deadline=deadline,
        )
    return None
