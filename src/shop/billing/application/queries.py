"""Read side of billing: a customer sees only their own invoices."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from shop.billing.domain.invoice import Invoice
from shop.billing.infrastructure import repository
from shop.billing.infrastructure.models import InvoiceRecord


def invoice_rows(*, customer_id: int, order_id: str | None = None) -> QuerySet[InvoiceRecord]:
    rows = repository.rows().filter(customer_id=customer_id)
    return rows if order_id is None else rows.filter(order_id=order_id)


def invoice(invoice_id: UUID, *, customer_id: int | None = None) -> Invoice | None:
    return repository.get(invoice_id, customer_id=customer_id)


def invoice_for_order(order_id: str) -> Invoice | None:
    return repository.for_order(order_id)
