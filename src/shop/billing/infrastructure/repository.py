"""Translate between billing's ORM rows and its domain objects."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from shop.billing.domain.invoice import Invoice, InvoiceStatus, Payment, PaymentStatus
from shop.billing.infrastructure import DATABASE
from shop.billing.infrastructure.models import InvoiceRecord, PaymentRecord
from shop.kernel import Money


def rows() -> QuerySet[InvoiceRecord]:
    return InvoiceRecord.objects.using(DATABASE).select_related("payment")


def to_domain(row: InvoiceRecord) -> Invoice:
    payment_row = getattr(row, "payment", None)
    payment = None
    if payment_row is not None:
        payment = Payment(
            id=payment_row.id,
            amount=Money.from_minor_units(payment_row.amount_minor, payment_row.currency),
            provider_reference=payment_row.provider_reference,
            captured_at=payment_row.captured_at,
            status=PaymentStatus(payment_row.status),
        )
    return Invoice(
        id=row.id,
        order_id=row.order_id,
        customer_id=row.customer_id,
        amount=Money.from_minor_units(row.amount_minor, row.currency),
        issued_at=row.issued_at,
        status=InvoiceStatus(row.status),
        payment_token=row.payment_token,
        payment=payment,
    )


def get(invoice_id: UUID, *, customer_id: int | None = None) -> Invoice | None:
    query = rows() if customer_id is None else rows().filter(customer_id=customer_id)
    row = query.filter(id=invoice_id).first()
    return to_domain(row) if row else None


def for_order(order_id: str, *, for_update: bool = False) -> Invoice | None:
    # Lock the invoice row only: PostgreSQL refuses FOR UPDATE on the outer-joined payment.
    query = rows().select_for_update(of=("self",)) if for_update else rows()
    row = query.filter(order_id=order_id).first()
    return to_domain(row) if row else None


def save(invoice: Invoice) -> None:
    """Insert or update the invoice and its payment, one statement each (ON CONFLICT (id)).

    One round trip per row, where update_or_create costs four (savepoint, select, write,
    release).
    """
    InvoiceRecord.objects.using(DATABASE).bulk_create(
        [
            InvoiceRecord(
                id=invoice.id,
                order_id=invoice.order_id,
                customer_id=invoice.customer_id,
                amount_minor=invoice.amount.minor_units,
                currency=invoice.amount.currency,
                status=invoice.status,
                payment_token=invoice.payment_token,
                issued_at=invoice.issued_at,
            )
        ],
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=[
            "order_id",
            "customer_id",
            "amount_minor",
            "currency",
            "status",
            "payment_token",
            "issued_at",
            "updated_at",
        ],
    )
    if invoice.payment is not None:
        PaymentRecord.objects.using(DATABASE).bulk_create(
            [
                PaymentRecord(
                    id=invoice.payment.id,
                    invoice_id=invoice.id,
                    amount_minor=invoice.payment.amount.minor_units,
                    currency=invoice.payment.amount.currency,
                    provider_reference=invoice.payment.provider_reference,
                    status=invoice.payment.status,
                    captured_at=invoice.payment.captured_at,
                )
            ],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=[
                "invoice",
                "amount_minor",
                "currency",
                "provider_reference",
                "status",
                "captured_at",
                "updated_at",
            ],
        )
