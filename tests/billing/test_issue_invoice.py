"""Issuing an invoice is idempotent per order: asking twice gives the same invoice."""

from __future__ import annotations

import pytest

from shop.billing.application.issue_invoice import IssueInvoice, issue_invoice
from shop.billing.domain.invoice import InvoiceStatus
from shop.billing.infrastructure import DATABASE
from shop.billing.infrastructure.models import InvoiceRecord
from shop.kernel import Money

pytestmark = pytest.mark.django_db(databases=[DATABASE])


def test_issuing_twice_for_one_order_returns_the_same_invoice_and_stores_one_row():
    command = IssueInvoice(order_id="order-1", customer_id=7, amount=Money("9.00", "EUR"))
    first = issue_invoice(command)
    second = issue_invoice(command)
    assert second.id == first.id
    assert second.amount == Money("9.00", "EUR")
    assert second.status is InvoiceStatus.OPEN
    rows = InvoiceRecord.objects.using(DATABASE).filter(order_id="order-1")
    assert rows.count() == 1
    row = rows.get()
    assert (row.id, row.amount_minor, row.currency, row.customer_id) == (first.id, 900, "EUR", 7)


def test_a_repeated_request_with_another_amount_keeps_the_first_invoice():
    first = issue_invoice(
        IssueInvoice(order_id="order-1", customer_id=7, amount=Money("9.00", "EUR"))
    )
    again = issue_invoice(
        IssueInvoice(order_id="order-1", customer_id=7, amount=Money("12.00", "EUR"))
    )
    assert again.id == first.id
    assert again.amount == Money("9.00", "EUR")
    assert InvoiceRecord.objects.using(DATABASE).get(order_id="order-1").amount_minor == 900


def test_each_order_gets_its_own_invoice():
    for order_id in ("order-1", "order-2"):
        issue_invoice(IssueInvoice(order_id=order_id, customer_id=7, amount=Money(5, "EUR")))
    assert InvoiceRecord.objects.using(DATABASE).count() == 2
