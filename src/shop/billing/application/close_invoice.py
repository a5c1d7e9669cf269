"""Close the invoice of a cancelled order: refund what was paid, void what was not.

As in charge_payment, the provider is called before the invoice is locked (ADR 0020): an
open invoice's key is voided at the provider first, which either refuses every later
charge or hands back the charge already taken, so that money is refunded, not kept.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shop.billing.application.charge_payment import InvoiceNotYetIssued, ProviderDown
from shop.billing.domain.invoice import Invoice, InvoiceStatus, Payment
from shop.billing.domain.payments import Charge, ProviderUnavailable
from shop.billing.events import PaymentRefunded
from shop.billing.infrastructure import DATABASE, repository
from shop.billing.infrastructure.payments import provider
from shop.platform.events import RetryLater, publish


def close_invoice(order_id: str) -> None:
    try:
        _close(order_id)
    except ProviderUnavailable as exc:
        raise ProviderDown(str(exc)) from exc


def _close(order_id: str) -> None:
    invoice = repository.for_order(order_id)
    if invoice is None:
        raise InvoiceNotYetIssued(f"no invoice for order {order_id} yet")
    if invoice.status in (InvoiceStatus.VOID, InvoiceStatus.REFUNDED):
        return  # closed already: a redelivery changes nothing
    captured = _captured(invoice)
    if captured is not None:
        provider().refund(
            reference=captured.reference,
            amount=invoice.amount,
            idempotency_key=f"refund-{invoice.id}",
        )
    with transaction.atomic(using=DATABASE):
        invoice = repository.for_order(order_id, for_update=True)
        if invoice.status is InvoiceStatus.OPEN and captured is not None:
            _pay(invoice, captured)  # taken at the provider, not yet in our books
        if invoice.status is InvoiceStatus.OPEN:
            invoice.void()
            repository.save(invoice)
        elif invoice.status is InvoiceStatus.PAID and captured is not None:
            _mark_refunded(invoice)
        elif invoice.status is InvoiceStatus.PAID:
            # Paid after the provider said no charge was taken: the provider and our books
            # disagree. Never keep the money: try again, and the paid path refunds it.
            raise InvoicePaidMeanwhile(f"invoice of order {order_id} was paid while closing")


class InvoicePaidMeanwhile(RetryLater):
    """The invoice was paid between the provider's answer and our lock: close it again."""


def _captured(invoice: Invoice) -> Charge | None:
    """The charge to give back: the recorded one, or the one the provider took under the
    invoice's key (its transaction may have rolled back after the call, or may still be
    on its way). An open invoice's key is voided, so no charge can follow this answer."""
    if invoice.status is InvoiceStatus.PAID:
        assert invoice.payment is not None
        return Charge(approved=True, reference=invoice.payment.provider_reference)
    return provider().void(idempotency_key=str(invoice.id))


def _pay(invoice: Invoice, charge: Charge) -> None:
    invoice.pay(
        Payment(
            amount=invoice.amount, provider_reference=charge.reference, captured_at=timezone.now()
        )
    )


def _mark_refunded(invoice: Invoice) -> None:
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
