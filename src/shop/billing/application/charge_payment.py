"""Charge the order's invoice once its stock is held."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shop.billing.domain.invoice import InvoiceStatus, Payment
from shop.billing.domain.payments import ProviderUnavailable
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


def charge_payment(order_id: str) -> None:
    """Approved: the invoice is paid. Declined: PaymentFailed. Provider down: raises to retry."""
    with transaction.atomic(using=DATABASE):
        invoice = repository.for_order(order_id, for_update=True)
        if invoice is None:
            raise InvoiceNotYetIssued(f"no invoice for order {order_id} yet")
        if invoice.status is not InvoiceStatus.OPEN or invoice.payment is not None:
            return  # paid already (a redelivery), or voided by a cancellation
        order = ordering.order_summary(order_id)
        if order is not None and order.status == "cancelled":
            return  # cancelled while we waited: do not take money only to give it back
        try:
            charge = provider().charge(
                token=invoice.payment_token, amount=invoice.amount, idempotency_key=str(invoice.id)
            )
        except ProviderUnavailable as exc:
            raise ProviderDown(str(exc)) from exc
        if not charge.approved:
            publish(
                PaymentFailed(
                    invoice_id=str(invoice.id), order_id=order_id, reason=charge.decline_reason
                )
            )
            return
        invoice.pay(
            Payment(
                amount=invoice.amount,
                provider_reference=charge.reference,
                captured_at=timezone.now(),
            )
        )
        repository.save(invoice)
        publish(
            PaymentCaptured(
                invoice_id=str(invoice.id),
                order_id=order_id,
                amount=str(invoice.amount.amount),
                currency=invoice.amount.currency,
            )
        )
