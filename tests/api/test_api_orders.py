"""/api/v1/orders: customers place, list, read and cancel their own orders."""

from datetime import datetime
from decimal import Decimal

import pytest

from shop.ordering.infrastructure.models import OrderLineRecord, OrderRecord

pytestmark = pytest.mark.django_db(databases="__all__")

ORDER = {
    "lines": [{"sku": "MUG-CLASSIC", "quantity": 2}, {"sku": "TEA-SENCHA", "quantity": 1}],
    "payment_token": "tok_visa",
}


def _place(client, body=ORDER, **headers):
    response = client.post("/api/v1/orders", body, format="json", headers=headers)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_customer_places_a_pending_order(alice_client, alice, products):
    response = alice_client.post("/api/v1/orders", ORDER, format="json")

    assert response.status_code == 201, response.content
    order = response.json()
    assert set(order) == {"id", "status", "cancellation_reason", "lines", "total", "created_at"}
    assert order["status"] == "pending"
    assert order["cancellation_reason"] is None
    assert order["lines"] == [
        {"sku": "MUG-CLASSIC", "quantity": 2, "unit_price": "12.50"},
        {"sku": "TEA-SENCHA", "quantity": 1, "unit_price": "11.20"},
    ]
    assert order["total"] == {"amount": "36.20", "currency": "EUR"}
    assert datetime.fromisoformat(order["created_at"]).tzinfo is not None
    assert response["Location"] == f"/api/v1/orders/{order['id']}"
    stored = OrderRecord.objects.get(id=order["id"])
    assert (stored.customer_id, stored.status, stored.total_minor) == (alice.id, "pending", 3620)
    assert OrderLineRecord.objects.filter(order=stored).count() == 2


def test_the_total_is_the_exact_sum_of_the_lines(alice_client, products):
    order = _place(
        alice_client,
        {
            "lines": [
                {"sku": sku, "quantity": q}
                for sku, q in zip(sorted(products), (3, 7, 1000), strict=True)
            ],
            "payment_token": "tok_visa",
        },
    )

    total = sum(Decimal(line["unit_price"]) * line["quantity"] for line in order["lines"])
    assert isinstance(order["total"]["amount"], str)
    assert Decimal(order["total"]["amount"]) == total == Decimal("11404.50")
    assert order["total"]["amount"] == "11404.50"


def test_unit_prices_are_frozen_when_the_order_is_placed(alice_client, staff_client, products):
    order = _place(alice_client)

    revised = staff_client.patch("/api/v1/products/MUG-CLASSIC", {"price": "99.00"}, format="json")
    assert revised.status_code == 200

    again = alice_client.get(f"/api/v1/orders/{order['id']}").json()
    assert again == order
    assert again["lines"][0]["unit_price"] == "12.50"
    assert again["total"]["amount"] == "36.20"
    assert _place(alice_client)["lines"][0]["unit_price"] == "99.00"


def test_placing_an_order_anonymously_is_a_401(anon, products, problem, nothing_written):
    with nothing_written():
        response = anon.post("/api/v1/orders", ORDER, format="json")

    problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Token")


def test_staff_place_orders_as_customers_too(staff_client, products):
    assert _place(staff_client)["status"] == "pending"


def test_a_customer_reads_their_own_order(alice_client, products):
    order = _place(alice_client)

    response = alice_client.get(f"/api/v1/orders/{order['id']}")

    assert response.status_code == 200
    assert response.json() == order


def test_someone_elses_order_is_a_404(alice_client, bob_client, staff_client, products, problem):
    order = _place(alice_client)

    for client in (bob_client, staff_client):
        problem(client.get(f"/api/v1/orders/{order['id']}"), 404, "not-found")


def test_an_unknown_order_is_a_404(alice_client, problem):
    problem(
        alice_client.get("/api/v1/orders/00000000-0000-4000-8000-000000000000"), 404, "not-found"
    )


def test_reading_an_order_anonymously_is_a_401(anon, alice_client, products, problem):
    order = _place(alice_client)

    problem(anon.get(f"/api/v1/orders/{order['id']}"), 401, "not-authenticated")
    problem(anon.get("/api/v1/orders"), 401, "not-authenticated")


def test_the_order_list_holds_only_the_callers_orders_newest_first(
    alice_client, bob_client, products
):
    alices = [_place(alice_client)["id"] for _ in range(3)]
    bobs = [_place(bob_client)["id"]]

    response = alice_client.get("/api/v1/orders")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "next"}
    assert body["next"] is None
    assert [o["id"] for o in body["results"]] == alices[::-1]
    assert [o["id"] for o in bob_client.get("/api/v1/orders").json()["results"]] == bobs


def test_the_order_list_pages_with_a_cursor(alice_client, bob_client, products):
    alices = [_place(alice_client)["id"] for _ in range(5)]
    _place(bob_client)

    seen, url, pages = [], "/api/v1/orders?limit=2", 0
    while url:
        body = alice_client.get(url).json()
        assert set(body) == {"results", "next"}
        seen += [o["id"] for o in body["results"]]
        url, pages = body["next"], pages + 1

    assert pages == 3
    assert seen == alices[::-1]


def test_a_customer_cancels_their_pending_order(alice_client, products):
    order = _place(alice_client)

    response = alice_client.post(f"/api/v1/orders/{order['id']}/cancel")

    assert response.status_code == 200, response.content
    cancelled = response.json()
    assert cancelled == {
        **order,
        "status": "cancelled",
        "cancellation_reason": "customer_cancelled",
    }
    assert alice_client.get(f"/api/v1/orders/{order['id']}").json() == cancelled


def test_cancelling_twice_is_a_409(alice_client, products, problem, nothing_written):
    order = _place(alice_client)
    assert alice_client.post(f"/api/v1/orders/{order['id']}/cancel").status_code == 200

    with nothing_written():
        response = alice_client.post(f"/api/v1/orders/{order['id']}/cancel")

    problem(response, 409, "illegal-transition")


def test_cancelling_someone_elses_order_is_a_404(
    alice_client, bob_client, products, problem, nothing_written
):
    order = _place(alice_client)

    with nothing_written():
        response = bob_client.post(f"/api/v1/orders/{order['id']}/cancel")

    problem(response, 404, "not-found")
    assert alice_client.get(f"/api/v1/orders/{order['id']}").json()["status"] == "pending"


def test_cancelling_anonymously_is_a_401(anon, alice_client, products, problem, nothing_written):
    order = _place(alice_client)

    with nothing_written():
        response = anon.post(f"/api/v1/orders/{order['id']}/cancel")

    problem(response, 401, "not-authenticated")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/orders/not-a-uuid"),
        ("get", "/api/v1/orders/12345"),
        ("get", "/api/v1/orders/00000000-0000-4000-8000-00000000000g"),
        ("post", "/api/v1/orders/not-a-uuid/cancel"),
    ],
)
def test_a_non_uuid_order_id_is_a_404_problem(
    alice_client, products, method, path, problem, nothing_written
):
    with nothing_written():
        response = getattr(alice_client, method)(path)

    problem(response, 404, "not-found")


def test_an_unknown_api_route_is_a_404_problem(anon, problem):
    problem(anon.get("/api/v1/nothing-here"), 404, "not-found")


@pytest.mark.parametrize(
    ("method", "path"),
    [("put", "/api/v1/orders"), ("delete", "/api/v1/products/MUG-CLASSIC")],
)
def test_an_unsupported_method_is_a_405_problem(
    staff_client, products, method, path, problem, nothing_written
):
    with nothing_written():
        response = getattr(staff_client, method)(path)

    problem(response, 405, "method-not-allowed")
