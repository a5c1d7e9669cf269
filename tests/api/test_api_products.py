"""/api/v1/products: anyone reads, staff writes, retired products are staff-only."""

from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from shop.catalog import api as catalog
from shop.catalog.infrastructure.models import ProductRecord

pytestmark = pytest.mark.django_db(databases="__all__")

NEW_PRODUCT = {
    "sku": "FRENCH-PRESS",
    "name": "French press",
    "description": "Glass and steel, 1 l.",
    "price": "29.50",
    "currency": "EUR",
}


def _all_pages(client, url):
    """Follow `next` links to the end; returns every page's body."""
    pages = []
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"results", "next"}
        pages.append(body)
        url = body["next"]
    return pages


def _product(client, sku):
    response = client.get(f"/api/v1/products/{sku}")
    assert response.status_code == 200, response.content
    return response.json()


def test_anyone_lists_products_in_a_cursor_envelope(anon, products):
    response = anon.get("/api/v1/products")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"results", "next"}
    assert body["next"] is None
    assert [p["sku"] for p in body["results"]] == sorted(products)
    assert body["results"][0] == {
        "sku": "KETTLE-STEEL",
        "name": "Steel kettle",
        "description": "Steel kettle.",
        "price": "39.00",
        "currency": "EUR",
        "active": True,
    }


def test_following_next_visits_every_product_exactly_once_in_sku_order(anon, products):
    for number in range(8):
        catalog.add_product(
            sku=f"ITEM-{number:02d}",
            name=f"Item {number}",
            description="",
            price=Decimal("1.00"),
            currency="EUR",
        )
    expected = sorted([*products, *(f"ITEM-{n:02d}" for n in range(8))])

    pages = _all_pages(anon, "/api/v1/products?limit=3")

    seen = [p["sku"] for page in pages for p in page["results"]]
    assert seen == expected
    assert len(pages) == 4
    assert [len(page["results"]) for page in pages] == [3, 3, 3, 2]
    assert pages[-1]["next"] is None
    assert all(urlsplit(page["next"]).path == "/api/v1/products" for page in pages[:-1])


def test_get_one_product(anon, products):
    response = anon.get("/api/v1/products/MUG-CLASSIC")

    assert response.status_code == 200
    assert response.json() == {
        "sku": "MUG-CLASSIC",
        "name": "Classic mug",
        "description": "Classic mug.",
        "price": "12.50",
        "currency": "EUR",
        "active": True,
    }


def test_an_unknown_sku_is_a_404_problem(anon, products, problem):
    problem(anon.get("/api/v1/products/NO-SUCH-SKU"), 404, "not-found")


def test_a_retired_product_is_hidden_from_customers_and_anonymous(
    anon, alice_client, retired_sku, problem
):
    for client in (anon, alice_client):
        problem(client.get(f"/api/v1/products/{retired_sku}"), 404, "not-found")
        listed = [
            p["sku"] for page in _all_pages(client, "/api/v1/products") for p in page["results"]
        ]
        assert retired_sku not in listed


def test_staff_still_see_a_retired_product(staff_client, retired_sku):
    response = staff_client.get(f"/api/v1/products/{retired_sku}")

    assert response.status_code == 200
    assert response.json()["active"] is False
    listed = [p["sku"] for p in staff_client.get("/api/v1/products").json()["results"]]
    assert retired_sku in listed


def test_staff_add_a_product_and_get_its_location(staff_client, anon):
    response = staff_client.post("/api/v1/products", NEW_PRODUCT, format="json")

    assert response.status_code == 201, response.content
    assert response["Location"] == "/api/v1/products/FRENCH-PRESS"
    assert response.json() == {**NEW_PRODUCT, "active": True}
    assert anon.get(response["Location"]).json() == {**NEW_PRODUCT, "active": True}
    stored = ProductRecord.objects.get(sku="FRENCH-PRESS")
    assert (stored.price_minor, stored.currency) == (2950, "EUR")


def test_description_is_optional_when_adding(staff_client):
    body = {k: v for k, v in NEW_PRODUCT.items() if k != "description"}

    response = staff_client.post("/api/v1/products", body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["description"] == ""


def test_adding_a_product_anonymously_is_a_401(anon, problem, nothing_written):
    with nothing_written():
        response = anon.post("/api/v1/products", NEW_PRODUCT, format="json")

    problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_customer_cannot_add_a_product(alice_client, problem, nothing_written):
    with nothing_written():
        response = alice_client.post("/api/v1/products", NEW_PRODUCT, format="json")

    problem(response, 403, "forbidden")


def test_a_duplicate_sku_is_a_409(staff_client, products, problem, nothing_written):
    with nothing_written():
        response = staff_client.post(
            "/api/v1/products", {**NEW_PRODUCT, "sku": "MUG-CLASSIC"}, format="json"
        )

    problem(response, 409, "product-exists")
    assert _product(staff_client, "MUG-CLASSIC")["name"] == "Classic mug"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"price": "13.90"}, {"price": "13.90"}),
        ({"name": "Big mug"}, {"name": "Big mug"}),
        ({"description": ""}, {"description": ""}),
        ({"active": False}, {"active": False}),
        ({"price": "1500", "currency": "JPY"}, {"price": "1500", "currency": "JPY"}),
        ({"name": "Big mug", "price": "14.00"}, {"name": "Big mug", "price": "14.00"}),
    ],
    ids=["price", "name", "description", "retire", "currency-with-price", "several"],
)
def test_staff_revise_a_product(staff_client, products, change, expected):
    response = staff_client.patch("/api/v1/products/MUG-CLASSIC", change, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: body[k] for k in expected} == expected
    assert _product(staff_client, "MUG-CLASSIC") == body


def test_a_retired_product_can_be_brought_back(staff_client, anon, retired_sku):
    response = staff_client.patch(
        f"/api/v1/products/{retired_sku}", {"active": True}, format="json"
    )

    assert response.status_code == 200
    assert anon.get(f"/api/v1/products/{retired_sku}").status_code == 200


@pytest.mark.parametrize("client_name", ["alice_client", "anon"])
def test_only_staff_may_revise_a_product(request, products, client_name, problem, nothing_written):
    client = request.getfixturevalue(client_name)

    with nothing_written():
        response = client.patch("/api/v1/products/MUG-CLASSIC", {"price": "0.01"}, format="json")

    expected = (401, "not-authenticated") if client_name == "anon" else (403, "forbidden")
    problem(response, *expected)


@pytest.mark.parametrize(
    ("change", "pointers"),
    [
        ({"sku": "MUG-NEW"}, ["#/sku"]),
        ({"stock": 5}, ["#/stock"]),
        ({"name": "Ok", "colour": "red"}, ["#/colour"]),
    ],
    ids=["sku-is-not-revisable", "unknown-field", "unknown-beside-known"],
)
def test_revising_an_unknown_field_is_a_400_and_changes_nothing(
    staff_client, products, change, pointers, problem, nothing_written
):
    with nothing_written():
        response = staff_client.patch("/api/v1/products/MUG-CLASSIC", change, format="json")

    problem(response, 400, "validation-error", pointers)


def test_revising_an_unknown_sku_is_a_404(staff_client, products, problem, nothing_written):
    with nothing_written():
        response = staff_client.patch("/api/v1/products/NO-SUCH", {"name": "x"}, format="json")

    problem(response, 404, "not-found")
