"""The providers' side of the pacts: the events each producer publishes, built as its own
code builds them, and the provider states ordering sets up for billing's calls."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.utils import timezone

from shop.billing.events import PaymentCaptured, PaymentFailed
from shop.inventory.events import StockReserved
from shop.kernel import Money
from shop.ordering.domain.order import CancellationReason, Order, OrderLine
from shop.ordering.events import OrderCancelled, OrderPlaced
from shop.ordering.infrastructure import DATABASE, repository

ORDER_ID = "b8a7c6d5-e4f3-4a2b-9c1d-0e9f8a7b6c5d"
INVOICE_ID = "f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f"


def ordering_events() -> list:
    return [
        OrderPlaced(
            order_id=ORDER_ID,
            customer_id=42,
            lines=(("MUG-1", 2, "3.10"), ("TEA-2", 1, "4.00")),
            total="10.20",
            currency="EUR",
            payment_token="tok_visa",
        ),
        OrderCancelled(order_id=ORDER_ID, reason=CancellationReason.PAYMENT_TIMEOUT.value),
    ]


def inventory_events() -> list:
    return [StockReserved(order_id=ORDER_ID, lines=(("MUG-1", 2), ("TEA-2", 1)))]


def billing_events() -> list:
    # As charge_payment builds them: the amount as the invoice's decimal string.
    return [
        PaymentCaptured(invoice_id=INVOICE_ID, order_id=ORDER_ID, amount="10.20", currency="EUR"),
        PaymentFailed(invoice_id=INVOICE_ID, order_id=ORDER_ID, reason="card_declined"),
    ]


EVENTS = {"ordering": ordering_events, "inventory": inventory_events, "billing": billing_events}


def an_order(parameters: dict, *, cancelled: bool = False) -> None:
    """An order with the consumer's id, customer and total, in ordering's own store."""
    order = Order(
        id=UUID(parameters["order_id"]),
        customer_id=parameters["customer_id"],
        lines=(
            OrderLine(
                sku="MUG-1",
                quantity=1,
                unit_price=Money(parameters["total"], parameters["currency"]),
            ),
        ),
        placed_at=timezone.now(),
    )
    if cancelled:
        order.cancel(CancellationReason.CUSTOMER_CANCELLED)
    else:
        order.await_payment()
    with transaction.atomic(using=DATABASE):
        repository.add(order, payment_token="tok_visa")


def no_order(parameters: dict) -> None:
    assert repository.get(UUID(parameters["order_id"])) is None


ORDERING_STATES = {
    "an order awaiting payment": an_order,
    "a cancelled order": lambda parameters: an_order(parameters, cancelled=True),
    "no order has the id": no_order,
}
