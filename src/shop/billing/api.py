"""Billing's open host service: what other contexts may ask of it."""

from __future__ import annotations

from dataclasses import dataclass

from shop.billing.application import queries
from shop.kernel import Money
from shop.platform import openhost

__all__ = ["InvoiceSummary", "invoice_for_order"]


@dataclass(frozen=True)
class InvoiceSummary:
    """The invoice of an order: how much, and whether it is open, paid, refunded or void."""

    invoice_id: str
    order_id: str
    amount: Money
    status: str


@openhost.query
def invoice_for_order(order_id: str) -> InvoiceSummary | None:
    """The order's invoice, or None if billing has not issued one (yet)."""
    invoice = queries.invoice_for_order(order_id)
    if invoice is None:
        return None
    return InvoiceSummary(
        invoice_id=str(invoice.id),
        order_id=invoice.order_id,
        amount=invoice.amount,
        status=invoice.status.value,
    )
