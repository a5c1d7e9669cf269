"""Billing's published language: what happened to invoices and payments."""

from shop.platform.events import IntegrationEvent, integration_event

__all__ = ["InvoiceIssued", "PaymentCaptured", "PaymentFailed", "PaymentRefunded"]


@integration_event("billing.InvoiceIssued", subject="order_id")
class InvoiceIssued(IntegrationEvent):
    """An invoice for the order's total is open."""

    invoice_id: str
    order_id: str
    amount: str
    currency: str


@integration_event("billing.PaymentCaptured", subject="order_id")
class PaymentCaptured(IntegrationEvent):
    """The provider took the money for the order's invoice."""

    invoice_id: str
    order_id: str
    amount: str
    currency: str


@integration_event("billing.PaymentFailed", subject="order_id")
class PaymentFailed(IntegrationEvent):
    """The provider declined the payment; `reason` says why in the provider-neutral language."""

    invoice_id: str
    order_id: str
    reason: str


@integration_event("billing.PaymentRefunded", subject="order_id")
class PaymentRefunded(IntegrationEvent):
    """A captured payment was given back to the customer."""

    invoice_id: str
    order_id: str
    amount: str
    currency: str
