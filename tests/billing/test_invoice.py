"""Invoice: open -> paid -> refunded or open -> void; money is never created or lost."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.billing.domain.invoice import (
    BillingError,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentStatus,
)
from shop.kernel import Money

AT = datetime(2026, 1, 1, tzinfo=UTC)


def invoice(amount: str = "9.00", currency: str = "EUR") -> Invoice:
    return Invoice(order_id="order-1", customer_id=7, amount=Money(amount, currency), issued_at=AT)


def payment(amount: str = "9.00", currency: str = "EUR") -> Payment:
    return Payment(amount=Money(amount, currency), provider_reference="ch_1", captured_at=AT)


def test_an_invoice_is_paid_then_refunded():
    bill = invoice()
    bill.pay(payment())
    assert bill.status is InvoiceStatus.PAID
    assert bill.payment.status is PaymentStatus.CAPTURED
    refunded = bill.refund()
    assert refunded == Money("9.00", "EUR")
    assert bill.status is InvoiceStatus.REFUNDED
    assert bill.payment.status is PaymentStatus.REFUNDED


def test_an_open_invoice_can_be_voided():
    bill = invoice()
    bill.void()
    assert bill.status is InvoiceStatus.VOID
    assert bill.payment is None


@pytest.mark.parametrize("amount", ["0.00", "-1.00"])
def test_an_invoice_amount_must_be_positive(amount):
    with pytest.raises(BillingError):
        invoice(amount)


def invoice_in(status: InvoiceStatus) -> Invoice:
    bill = invoice()
    if status is InvoiceStatus.VOID:
        bill.void()
    if status in (InvoiceStatus.PAID, InvoiceStatus.REFUNDED):
        bill.pay(payment())
    if status is InvoiceStatus.REFUNDED:
        bill.refund()
    return bill


ILLEGAL = [
    (InvoiceStatus.OPEN, "refund"),
    (InvoiceStatus.PAID, "pay"),
    (InvoiceStatus.PAID, "void"),
    (InvoiceStatus.REFUNDED, "pay"),
    (InvoiceStatus.REFUNDED, "refund"),
    (InvoiceStatus.REFUNDED, "void"),
    (InvoiceStatus.VOID, "pay"),
    (InvoiceStatus.VOID, "refund"),
    (InvoiceStatus.VOID, "void"),
]


def attempt(bill: Invoice, action: str) -> None:
    if action == "pay":
        bill.pay(payment())
    elif action == "refund":
        bill.refund()
    else:
        bill.void()


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_every_other_step_is_refused_and_changes_nothing(status, action):
    bill = invoice_in(status)
    before = asdict(bill)
    with pytest.raises(BillingError):
        attempt(bill, action)
    assert asdict(bill) == before


@pytest.mark.parametrize(
    ("amount", "currency"), [("8.99", "EUR"), ("9.01", "EUR"), ("9.00", "USD")]
)
def test_a_payment_must_settle_exactly_the_invoice_amount(amount, currency):
    bill = invoice("9.00", "EUR")
    with pytest.raises(BillingError):
        bill.pay(payment(amount, currency))
    assert bill.status is InvoiceStatus.OPEN
    assert bill.payment is None


@given(
    st.integers(1, 10**12),
    st.lists(st.sampled_from(["pay", "pay_wrong_amount", "refund", "void"]), max_size=8),
)
def test_money_is_conserved_whatever_steps_are_tried(units, actions):
    amount = Money.from_minor_units(units, "EUR")
    bill = Invoice(order_id="order-1", customer_id=7, amount=amount, issued_at=AT)
    paid = refunded = Money.zero("EUR")
    for action in actions:
        before = asdict(bill)
        try:
            if action == "pay":
                bill.pay(Payment(amount=amount, provider_reference="ch_1", captured_at=AT))
                paid += amount
            elif action == "pay_wrong_amount":
                wrong = amount + Money.from_minor_units(1, "EUR")
                bill.pay(Payment(amount=wrong, provider_reference="ch_2", captured_at=AT))
                paid += wrong
            elif action == "refund":
                refunded += bill.refund()
            else:
                bill.void()
        except BillingError:
            assert asdict(bill) == before
        balance = paid - refunded
        assert balance in (Money.zero("EUR"), amount)
        assert (balance == amount) == (bill.status is InvoiceStatus.PAID)
        assert refunded in (Money.zero("EUR"), amount)
