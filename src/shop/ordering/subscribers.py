"""How ordering reacts to inventory's and billing's events. Registered from apps.py."""

from __future__ import annotations

from uuid import UUID

from shop.billing.events import PaymentCaptured, PaymentFailed
from shop.inventory.events import StockReservationFailed, StockReserved
from shop.ordering.application import advance_order
from shop.ordering.application.cancel_order import cancel_if_open
from shop.ordering.application.cancel_overdue_orders import cancel_overdue_orders
from shop.ordering.application.forget_idempotency_keys import forget_idempotency_keys
from shop.ordering.domain.order import CancellationReason
from shop.platform.events.bus import EventBus
from shop.platform.events.schedule import Schedule


def when_inventory_stock_reserved_await_payment(event: StockReserved) -> None:
    advance_order.await_payment(UUID(event.order_id))


def when_billing_payment_captured_confirm_order(event: PaymentCaptured) -> None:
    advance_order.confirm(UUID(event.order_id))


def when_inventory_stock_reservation_failed_cancel_order(event: StockReservationFailed) -> None:
    cancel_if_open(UUID(event.order_id), CancellationReason.OUT_OF_STOCK)


def when_billing_payment_failed_cancel_order(event: PaymentFailed) -> None:
    cancel_if_open(UUID(event.order_id), CancellationReason.PAYMENT_DECLINED)


def register(bus: EventBus, schedule: Schedule) -> None:
    bus.subscribe(StockReserved, when_inventory_stock_reserved_await_payment, context="ordering")
    bus.subscribe(PaymentCaptured, when_billing_payment_captured_confirm_order, context="ordering")
    bus.subscribe(
        StockReservationFailed,
        when_inventory_stock_reservation_failed_cancel_order,
        context="ordering",
    )
    bus.subscribe(PaymentFailed, when_billing_payment_failed_cancel_order, context="ordering")
    schedule.every(5.0, "ordering.cancel_overdue_orders", cancel_overdue_orders)
    schedule.every(3600.0, "ordering.forget_idempotency_keys", forget_idempotency_keys)
