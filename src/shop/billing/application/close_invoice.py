"""Close the invoice of a cancelled order: refund what was paid, void what was not."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shop.billing.application.charge_payment import InvoiceNotYetIssued, ProviderDown
from shop.billing.domain.invoice import Invoice, InvoiceStatus, Payment
from shop.billing.domain.payments import ProviderUnavailable
from shop.billing.events import PaymentRefunded
from shop.billing.infrastructure import DATABASE, repository
from shop.billing.infrastructure.payments import provider
from shop.platform.events import publish


def close_invoice(order_id: str) -> None:
    try:
        _close(order_id)
    except ProviderUnavailable as exc:
        raise ProviderDown(str(exc)) from exc


def _close(order_id: str) -> None:
    with transaction.atomic(using=DATABASE):
        invoice = repository.for_order(order_id, for_update=True)
        if invoice is None:
            raise InvoiceNotYetIssued(f"no invoice for order {order_id} yet")
        if invoice.status is InvoiceStatus.OPEN:
            _record_lost_capture(invoice)
        if invoice.status is InvoiceStatus.OPEN:
            invoice.void()
            repository.save(invoice)
        elif invoice.status is InvoiceStatus.PAID:
            _refund(invoice)
        # void or refunded already: a redelivery changes nothing


def _record_lost_capture(invoice: Invoice) -> None:
    """The provider may hold a capture our books lost (its transaction rolled back after
    the call): ask under the charge's key, so that money is refunded, not kept."""
    charge = provider().find_charge(idempotency_key=str(invoice.id))
    if charge is not None and charge.approved:
        invoice.pay(
            Payment(
                amount=invoice.amount,
                provider_reference=charge.reference,
                captured_at=timezone.now(),
            )
        )


def _refund(invoice: Invoice) -> None:
    assert invoice.payment is not None
    provider().refund(
        reference=invoice.payment.provider_reference,
        amount=invoice.payment.amount,
        idempotency_key=f"refund-{invoice.id}",
    )
    refunded = invoice.refund()
    repository.save(invoice)
    publish(
        PaymentRefunded(
            invoice_id=str(invoice.id),
            order_id=invoice.order_id,
            amount=str(refunded.amount),
            currency=refunded.currency,
        )
    )
