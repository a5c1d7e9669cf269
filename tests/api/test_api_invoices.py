"""/api/v1/invoices: a customer sees only their own invoices.

Until the order saga exists, invoices are issued by calling billing's use case directly.
"""

from datetime import datetime
from decimal import Decimal

import pytest

from shop.billing.application.issue_invoice import IssueInvoice, issue_invoice
from shop.kernel import Money

pytestmark = pytest.mark.django_db(databases="__all__")

ORDER = {"lines": [{"sku": "MUG-CLASSIC", "quantity": 2}], "payment_token": "tok_visa"}


def _order_with_invoice(client, user) -> tuple[dict, str]:
    """Place an order over HTTP and issue its invoice; returns the order and invoice id."""
    order = client.post("/api/v1/orders", ORDER, format="json").json()
    total = order["total"]
    invoice = issue_invoice(
        IssueInvoice(
            order_id=order["id"],
            customer_id=user.id,
            amount=Money(Decimal(total["amount"]), total["currency"]),
        )
    )
    return order, str(invoice.id)


@pytest.fixture
def alices(alice_client, alice, products):
    return _order_with_invoice(alice_client, alice)


@pytest.fixture
def bobs(bob_client, bob, products):
    return _order_with_invoice(bob_client, bob)


def test_a_customer_finds_the_invoice_of_their_order(alice_client, alices, bobs):
    order, invoice_id = alices

    response = alice_client.get(f"/api/v1/invoices?order={order['id']}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "next"}
    assert body["next"] is None
    [invoice] = body["results"]
    assert set(invoice) == {"id", "order_id", "amount", "status", "issued_at"}
    assert invoice["id"] == invoice_id
    assert invoice["order_id"] == order["id"]
    assert invoice["amount"] == {"amount": "25.00", "currency": "EUR"}
    assert invoice["status"] == "open"
    assert datetime.fromisoformat(invoice["issued_at"]).tzinfo is not None


def test_the_invoice_list_holds_only_the_callers_invoices(alice_client, bob_client, alices, bobs):
    assert [i["id"] for i in alice_client.get("/api/v1/invoices").json()["results"]] == [alices[1]]
    assert [i["id"] for i in bob_client.get("/api/v1/invoices").json()["results"]] == [bobs[1]]


def test_filtering_by_someone_elses_order_finds_nothing(bob_client, alices, bobs):
    response = bob_client.get(f"/api/v1/invoices?order={alices[0]['id']}")

    assert response.status_code == 200
    assert response.json() == {"results": [], "next": None}


def test_a_customer_reads_their_own_invoice(alice_client, alices):
    _, invoice_id = alices

    response = alice_client.get(f"/api/v1/invoices/{invoice_id}")

    assert response.status_code == 200
    assert response.json()["id"] == invoice_id


def test_someone_elses_invoice_is_a_404(bob_client, staff_client, alices, problem):
    _, invoice_id = alices

    for client in (bob_client, staff_client):
        problem(client.get(f"/api/v1/invoices/{invoice_id}"), 404, "not-found")


@pytest.mark.parametrize(
    "path", ["/api/v1/invoices/not-a-uuid", "/api/v1/invoices/00000000-0000-4000-8000-000000000000"]
)
def test_an_unknown_invoice_is_a_404(alice_client, alices, path, problem):
    problem(alice_client.get(path), 404, "not-found")


@pytest.mark.parametrize(
    "value", ["not-a-uuid", "1234", "00000000-0000-4000-8000-00000000000g", "", " "]
)
def test_filtering_by_a_malformed_order_id_is_a_400(alice_client, alices, value, problem):
    response = alice_client.get("/api/v1/invoices", {"order": value})

    problem(response, 400, "validation-error", ["#/order"])


def test_invoices_are_private_to_authenticated_customers(anon, alices, problem):
    order, invoice_id = alices

    for path in (
        "/api/v1/invoices",
        f"/api/v1/invoices?order={order['id']}",
        f"/api/v1/invoices/{invoice_id}",
    ):
        response = anon.get(path)
        problem(response, 401, "not-authenticated")
        assert response["WWW-Authenticate"].startswith("Token")
