"""Issue the invoice for an order: one invoice per order, however often we are asked."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from shop.billing.domain.invoice import Invoice
from shop.billing.events import InvoiceIssued
from shop.billing.infrastructure import DATABASE, repository
from shop.kernel import Money
from shop.platform.events import publish


@dataclass(frozen=True, kw_only=True)
class IssueInvoice:
    order_id: str
    customer_id: int
    amount: Money
    payment_token: str = ""


def issue_invoice(command: IssueInvoice) -> Invoice:
    with transaction.atomic(using=DATABASE):
        existing = repository.for_order(command.order_id, for_update=True)
        if existing is not None:
            return existing
        invoice = Invoice(
            order_id=command.order_id,
            customer_id=command.customer_id,
            amount=command.amount,
            issued_at=timezone.now(),
            payment_token=command.payment_token,
        )
        repository.save(invoice)
        publish(
            InvoiceIssued(
                invoice_id=str(invoice.id),
                order_id=invoice.order_id,
                amount=str(invoice.amount.amount),
                currency=invoice.amount.currency,
            )
        )
    return invoice
