"""How ordering reacts to inventory's and billing's events. Registered from apps.py."""

from __future__ import annotations

from uuid import UUID

from shop.billing.events import PaymentCaptured, PaymentFailed
from shop.inventory.events import StockReservationFailed, StockReserved
from shop.ordering.application import advance_order, waiting
from shop.ordering.application.cancel_order import cancel_if_open
from shop.ordering.application.cancel_overdue_orders import cancel_overdue_orders
from shop.ordering.application.forget_idempotency_keys import forget_idempotency_keys
from shop.ordering.domain.order import CancellationReason
from shop.platform.wiring import Wiring


def when_inventory_stock_reserved_await_payment(event: StockReserved) -> None:
    advance_order.await_payment(UUID(event.order_id))


def when_billing_payment_captured_confirm_order(event: PaymentCaptured) -> None:
    advance_order.confirm(UUID(event.order_id))


def when_inventory_stock_reservation_failed_cancel_order(event: StockReservationFailed) -> None:
    cancel_if_open(UUID(event.order_id), CancellationReason.OUT_OF_STOCK)


def when_billing_payment_failed_cancel_order(event: PaymentFailed) -> None:
    cancel_if_open(UUID(event.order_id), CancellationReason.PAYMENT_DECLINED)


def register(wiring: Wiring) -> None:
    wiring.subscribe(StockReserved, when_inventory_stock_reserved_await_payment)
    wiring.subscribe(PaymentCaptured, when_billing_payment_captured_confirm_order)
    wiring.subscribe(StockReservationFailed, when_inventory_stock_reservation_failed_cancel_order)
    wiring.subscribe(PaymentFailed, when_billing_payment_failed_cancel_order)
    wiring.every(5.0, "cancel_overdue_orders", cancel_overdue_orders)
    wiring.every(3600.0, "forget_idempotency_keys", forget_idempotency_keys)
    # What an order waits for, on the operator console's timeline.
    wiring.expect(waiting.next_step)
