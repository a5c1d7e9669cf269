"""How inventory reacts to ordering's and billing's events. Registered from apps.py."""

from __future__ import annotations

from shop.billing.events import PaymentFailed
from shop.inventory.application.reserve_stock import ReserveStock, reserve_stock
from shop.inventory.application.settle_reservation import commit_reservation, release_reservation
from shop.ordering.events import OrderCancelled, OrderConfirmed, OrderPlaced
from shop.platform.wiring import Wiring


def when_ordering_order_placed_reserve_stock(event: OrderPlaced) -> None:
    reserve_stock(
        ReserveStock(order_id=event.order_id, lines=[(sku, qty) for sku, qty, _ in event.lines])
    )


def when_ordering_order_confirmed_commit_stock(event: OrderConfirmed) -> None:
    commit_reservation(event.order_id)


def when_ordering_order_cancelled_release_stock(event: OrderCancelled) -> None:
    release_reservation(event.order_id)


def when_billing_payment_failed_release_stock(event: PaymentFailed) -> None:
    release_reservation(event.order_id)


def register(wiring: Wiring) -> None:
    wiring.subscribe(OrderPlaced, when_ordering_order_placed_reserve_stock)
    wiring.subscribe(OrderConfirmed, when_ordering_order_confirmed_commit_stock)
    wiring.subscribe(OrderCancelled, when_ordering_order_cancelled_release_stock)
    wiring.subscribe(PaymentFailed, when_billing_payment_failed_release_stock)
