"""The order saga end to end: HTTP in, events between contexts, observable outcomes out."""

from __future__ import annotations

import pytest
from django.test import override_settings

from shop.platform.events import bus

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def place(client, lines, token="tok_visa"):  # noqa: S107 - a fake provider token
    response = client.post(
        "/api/v1/orders",
        {"lines": [{"sku": s, "quantity": q} for s, q in lines], "payment_token": token},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def order_of(client, order_id):
    return client.get(f"/api/v1/orders/{order_id}").json()


def invoice_of(client, order_id) -> dict | None:
    """The customer's invoice for the order, as the API shows it; None while there is none."""
    answer = client.get(f"/api/v1/invoices?order={order_id}")
    assert answer.status_code == 200, answer.content
    invoices = answer.json()["results"]
    assert len(invoices) <= 1, invoices
    return invoices[0] if invoices else None


def invoice_status(client, order_id) -> str | None:
    invoice = invoice_of(client, order_id)
    return invoice and invoice["status"]


def settled(client, order_id, status, reason=None):
    def check():
        order = order_of(client, order_id)
        assert order["status"] == status
        assert order["cancellation_reason"] == reason
        return order

    return check


def test_a_paid_order_is_confirmed_its_stock_committed_and_its_invoice_paid(
    customer, stocked, stock_of, eventually
):
    mug = stocked("MUG", price="12.50", on_hand=5)
    order_id = place(customer, [(mug, 2)])

    eventually(settled(customer, order_id, "confirmed"))
    eventually(lambda: _assert(stock_of(mug).on_hand == 3))
    level = stock_of(mug)
    assert (level.on_hand, level.reserved, level.available) == (3, 0, 3)
    invoice = invoice_of(customer, order_id)
    assert (invoice["status"], invoice["amount"]) == (
        "paid",
        {"amount": "25.00", "currency": "EUR"},
    )


def test_an_order_beyond_the_stock_is_cancelled_out_of_stock_and_holds_nothing(
    customer, stocked, stock_of, eventually
):
    mug = stocked("MUG", on_hand=1)
    order_id = place(customer, [(mug, 2)])

    eventually(settled(customer, order_id, "cancelled", "out_of_stock"))
    eventually(lambda: _assert(invoice_status(customer, order_id) == "void"))
    assert stock_of(mug).reserved == 0
    assert stock_of(mug).on_hand == 1


def test_a_declined_payment_cancels_the_order_and_releases_its_stock(
    customer, stocked, stock_of, eventually
):
    mug = stocked("MUG", on_hand=4)
    order_id = place(customer, [(mug, 3)], token="tok_declined")

    eventually(settled(customer, order_id, "cancelled", "payment_declined"))
    eventually(lambda: _assert(stock_of(mug).reserved == 0))
    eventually(lambda: _assert(invoice_status(customer, order_id) == "void"))
    assert stock_of(mug).on_hand == 4


@pytest.mark.in_process  # switches the payment provider off in this process
def test_cancelling_before_payment_releases_stock_and_voids_the_invoice(
    customer, stocked, stock_of, eventually
):
    mug = stocked("MUG", on_hand=4)
    with override_settings(SHOP_FAKE_PAYMENTS={"latency_seconds": 0, "available": False}):
        order_id = place(customer, [(mug, 3)])
        eventually(settled(customer, order_id, "awaiting_payment"))
        response = customer.post(f"/api/v1/orders/{order_id}/cancel")
        assert response.status_code == 200, response.content
        eventually(settled(customer, order_id, "cancelled", "customer_cancelled"))
        eventually(lambda: _assert(stock_of(mug).reserved == 0))
        # Billing cannot close the invoice before asking the provider what it took.
        assert invoice_status(customer, order_id) == "open"
    eventually(lambda: _assert(invoice_status(customer, order_id) == "void"))
    assert stock_of(mug).on_hand == 4


def test_cancelling_after_payment_refunds_and_restocks(customer, stocked, stock_of, eventually):
    mug = stocked("MUG", on_hand=4)
    order_id = place(customer, [(mug, 3)])
    eventually(settled(customer, order_id, "confirmed"))
    eventually(lambda: _assert(stock_of(mug).on_hand == 1))

    assert customer.post(f"/api/v1/orders/{order_id}/cancel").status_code == 200

    eventually(lambda: _assert(invoice_status(customer, order_id) == "refunded"))
    eventually(lambda: _assert(stock_of(mug).on_hand == 4))
    assert order_of(customer, order_id)["cancellation_reason"] == "customer_cancelled"


@pytest.mark.in_process  # switches the payment provider off in this process
def test_an_unavailable_provider_is_retried_not_declined(customer, stocked, eventually):
    mug = stocked("MUG", on_hand=4)
    with override_settings(SHOP_FAKE_PAYMENTS={"latency_seconds": 0, "available": False}):
        order_id = place(customer, [(mug, 1)])
        eventually(settled(customer, order_id, "awaiting_payment"))
        eventually(lambda: _assert("provider is unavailable" in charge_row(order_id).last_error))
        assert charge_row(order_id).status == "pending"  # a retryable failure, not a decline
        assert invoice_status(customer, order_id) == "open"
    # The provider is back: the retried charge goes through.
    eventually(settled(customer, order_id, "confirmed"), timeout=30)
    assert invoice_status(customer, order_id) == "paid"


@pytest.mark.in_process  # switches the payment provider off in this process
def test_an_order_not_paid_by_the_deadline_is_cancelled_and_compensated(
    customer, stocked, stock_of, eventually
):
    mug = stocked("MUG", on_hand=4)
    with override_settings(
        SHOP_FAKE_PAYMENTS={"latency_seconds": 0, "available": False},
        SHOP_PAYMENT_DEADLINE_SECONDS=0,
    ):
        order_id = place(customer, [(mug, 2)])
        eventually(settled(customer, order_id, "cancelled", "payment_timeout"))
        eventually(lambda: _assert(stock_of(mug).reserved == 0))
    eventually(lambda: _assert(invoice_status(customer, order_id) == "void"))


def charge_row(order_id: str):
    inbox = bus.store_of("billing").inbox.objects.using("billing")
    return inbox.get(
        handler="billing.when_inventory_stock_reserved_charge_payment", subject=order_id
    )


def _assert(condition: bool) -> bool:
    assert condition
    return condition
