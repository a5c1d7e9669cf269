"""How billing reacts to ordering's and inventory's events. Registered from apps.py."""

from __future__ import annotations

from decimal import Decimal

from shop.billing.application.charge_payment import charge_payment
from shop.billing.application.close_invoice import close_invoice
from shop.billing.application.issue_invoice import IssueInvoice, issue_invoice
from shop.inventory.events import StockReserved
from shop.kernel import Money
from shop.ordering.events import OrderCancelled, OrderPlaced
from shop.platform.wiring import Wiring


def when_ordering_order_placed_issue_invoice(event: OrderPlaced) -> None:
    issue_invoice(
        IssueInvoice(
            order_id=event.order_id,
            customer_id=event.customer_id,
            amount=Money(Decimal(event.total), event.currency),
            payment_token=event.payment_token,
        )
    )


def when_inventory_stock_reserved_charge_payment(event: StockReserved) -> None:
    charge_payment(event.order_id)


def when_ordering_order_cancelled_close_invoice(event: OrderCancelled) -> None:
    close_invoice(event.order_id)


def register(wiring: Wiring) -> None:
    wiring.subscribe(OrderPlaced, when_ordering_order_placed_issue_invoice)
    wiring.subscribe(StockReserved, when_inventory_stock_reserved_charge_payment)
    wiring.subscribe(OrderCancelled, when_ordering_order_cancelled_close_invoice)
