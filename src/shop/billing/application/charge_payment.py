"""Charge the order's invoice once its stock is held.

No call leaves billing while the invoice's row is locked: ordering and the provider are
asked first, on an unlocked read; only then is the invoice locked, checked again and
written (ADR 0020). A double charge stays impossible: the provider answers the same key
(the invoice id) with the same outcome, and a void (close_invoice) refuses later charges.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shop.billing.domain.invoice import Invoice, InvoiceStatus, Payment
from shop.billing.domain.payments import Charge, ProviderUnavailable
from shop.billing.events import PaymentCaptured, PaymentFailed
from shop.billing.infrastructure import DATABASE, repository
from shop.billing.infrastructure.payments import provider
from shop.ordering import api as ordering
from shop.platform.events import RetryLater, Unavailable, publish


class ProviderDown(Unavailable):
    """The payment provider is unavailable: retried with backoff for up to
    `SHOP_EVENTS_UNAVAILABLE_SECONDS`, then parked dead for an operator; the order's
    payment deadline decides when the customer has waited enough."""


class InvoiceNotYetIssued(RetryLater):
    """Stock was reserved before billing saw the order; the inbox retries later."""


class OrderNotKnownYet(RetryLater):
    """Ordering does not know an order billing has an invoice for: never read as "go
    ahead"; retried, and parked dead for an operator if it stays so."""


def charge_payment(order_id: str) -> None:
    """Approved: the invoice is paid. Declined: PaymentFailed. Provider down: raises to retry."""
    invoice = repository.for_order(order_id)
    if invoice is None:
        raise InvoiceNotYetIssued(f"no invoice for order {order_id} yet")
    if not _chargeable(invoice):
        return  # paid already (a redelivery), or voided by a cancellation
    order = ordering.order_summary(order_id)  # RemoteUnavailable when it cannot be asked
    if order is None:
        raise OrderNotKnownYet(f"ordering does not know order {order_id}")
    if order.status == "cancelled":
        return  # cancelled while we waited: do not take money only to give it back
    try:
        charge = provider().charge(
            token=invoice.payment_token, amount=invoice.amount, idempotency_key=str(invoice.id)
        )
    except ProviderUnavailable as exc:
        raise ProviderDown(str(exc)) from exc
    with transaction.atomic(using=DATABASE):
        invoice = repository.for_order(order_id, for_update=True)
        if invoice is not None and _chargeable(invoice):
            _record(invoice, charge)
        # Closed while we charged: close_invoice voided the key first (so this charge was
        # refused), or it found this charge at the provider and refunded it.


def _chargeable(invoice: Invoice) -> bool:
    return invoice.status is InvoiceStatus.OPEN and invoice.payment is None


def _record(invoice: Invoice, charge: Charge) -> None:
    if charge.voided:
        return  # close_invoice voided the key: it closes the invoice, nothing failed
    if not charge.approved:
        publish(
            PaymentFailed(
                invoice_id=str(invoice.id), order_id=invoice.order_id, reason=charge.decline_reason
            )
        )
        return
    invoice.pay(
        Payment(
            amount=invoice.amount, provider_reference=charge.reference, captured_at=timezone.now()
        )
    )
    repository.save(invoice)
    publish(
        PaymentCaptured(
            invoice_id=str(invoice.id),
            order_id=invoice.order_id,
            amount=str(invoice.amount.amount),
            currency=invoice.amount.currency,
        )
    )
