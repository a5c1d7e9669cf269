"""Invoice: what a customer owes for one order, and whether it was paid, refunded or voided.

    open --> paid --> refunded
      \\
       +--> void

Money is conserved: an invoice is paid by exactly its amount and refunded by exactly
what was paid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from shop.kernel import Money


class InvoiceStatus(StrEnum):
    OPEN = "open"
    PAID = "paid"
    REFUNDED = "refunded"
    VOID = "void"


class PaymentStatus(StrEnum):
    CAPTURED = "captured"
    REFUNDED = "refunded"


class BillingError(ValueError):
    """A billing step the rules do not allow."""


@dataclass
class Payment:
    amount: Money
    provider_reference: str
    captured_at: datetime
    id: UUID = field(default_factory=uuid4)
    status: PaymentStatus = PaymentStatus.CAPTURED


@dataclass
class Invoice:
    order_id: str
    customer_id: int
    amount: Money
    issued_at: datetime
    id: UUID = field(default_factory=uuid4)
    status: InvoiceStatus = InvoiceStatus.OPEN
    payment_token: str = ""
    payment: Payment | None = None

    def __post_init__(self) -> None:
        if not self.amount.is_positive:
            raise BillingError("an invoice amount must be positive")

    def pay(self, payment: Payment) -> None:
        self._require(InvoiceStatus.OPEN, "pay")
        if payment.amount != self.amount:
            raise BillingError(f"payment of {payment.amount} does not settle {self.amount}")
        self.payment = payment
        self.status = InvoiceStatus.PAID

    def refund(self) -> Money:
        """Mark the payment refunded; returns the amount to give back."""
        self._require(InvoiceStatus.PAID, "refund")
        assert self.payment is not None
        self.payment.status = PaymentStatus.REFUNDED
        self.status = InvoiceStatus.REFUNDED
        return self.payment.amount

    def void(self) -> None:
        self._require(InvoiceStatus.OPEN, "void")
        self.status = InvoiceStatus.VOID

    def _require(self, status: InvoiceStatus, action: str) -> None:
        if self.status is not status:
            raise BillingError(f"cannot {action} invoice {self.id}: it is {self.status}")
