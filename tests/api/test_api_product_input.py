"""Bad product input is a 4xx problem, never a 500 and never a partial write.

Money on the wire is a decimal string. A JSON number is accepted only when it is
exactly an amount in the currency (the parser reads it as a Decimal, never a
float); anything that would need rounding is refused.
"""

import json

import pytest

from shop.catalog.infrastructure.models import ProductRecord

pytestmark = pytest.mark.django_db(databases="__all__")

VALID = {"sku": "CUP-ESPRESSO", "name": "Espresso cups", "price": "16.00", "currency": "EUR"}


def _post_raw(client, body: str, content_type: str = "application/json"):
    return client.post("/api/v1/products", body, content_type=content_type)


@pytest.mark.parametrize(
    ("price_literal", "currency", "minor_units", "on_the_wire"),
    [
        ("12.5", "EUR", 1250, "12.50"),
        ("19.99", "EUR", 1999, "19.99"),
        ("0.1", "EUR", 10, "0.10"),
        ("12", "EUR", 1200, "12.00"),
        ("1500", "JPY", 1500, "1500"),
        ("1.234", "BHD", 1234, "1.234"),
    ],
)
def test_a_json_number_that_is_an_exact_amount_is_stored_exactly(
    staff_client, price_literal, currency, minor_units, on_the_wire
):
    body = f'{{"sku": "CUP-1", "name": "Cup", "price": {price_literal}, "currency": "{currency}"}}'

    response = _post_raw(staff_client, body)

    assert response.status_code == 201, response.content
    assert response.json()["price"] == on_the_wire
    stored = ProductRecord.objects.get(sku="CUP-1")
    assert type(stored.price_minor) is int
    assert stored.price_minor == minor_units
    assert staff_client.get("/api/v1/products/CUP-1").json()["price"] == on_the_wire


@pytest.mark.parametrize(
    "price_literal",
    [
        "12.345",  # a third decimal place in EUR
        "0.1000000000000000055511151231257827",  # the float nearest 0.1, written out
        "12.500000000000001",
        "1e2",
        "1E+400",
        "-0.0",
        "NaN",
        "Infinity",
        "true",
        "null",
        '["12.50"]',
        '{"amount": "12.50"}',
    ],
)
def test_a_price_that_is_not_an_exact_amount_is_refused_not_rounded(
    staff_client, price_literal, problem, nothing_written
):
    body = f'{{"sku": "CUP-1", "name": "Cup", "price": {price_literal}, "currency": "EUR"}}'

    with nothing_written():
        response = _post_raw(staff_client, body)

    assert 400 <= response.status_code < 500
    if price_literal in ("NaN", "Infinity"):
        problem(response, 400, "malformed-request")
    elif price_literal == "12.345":
        problem(response, 422, "price-too-precise", ["#/price"])
    else:
        problem(response, 400, "validation-error", ["#/price"])


@pytest.mark.parametrize(
    ("change", "pointers"),
    [
        ({"currency": "XXX"}, ["#/currency"]),
        ({"currency": "ZZZ"}, ["#/currency"]),
        ({"currency": "eur"}, ["#/currency"]),
        ({"currency": "EURO"}, ["#/currency"]),
        ({"currency": ""}, ["#/currency"]),
        ({"currency": 978}, ["#/currency"]),
        ({"price": "0"}, ["#/price"]),
        ({"price": "0.00"}, ["#/price"]),
        ({"price": "-1.00"}, ["#/price"]),
        ({"price": "1000000.00"}, ["#/price"]),
        ({"price": "999999999999999.99"}, ["#/price"]),
        ({"price": "1" + "0" * 30}, ["#/price"]),
        ({"price": True}, ["#/price"]),
        ({"price": "twelve"}, ["#/price"]),
        ({"price": ""}, ["#/price"]),
        ({"price": "12,50"}, ["#/price"]),
        ({"price": None}, ["#/price"]),
        ({"price": "12.50 "}, ["#/price"]),  # the schema's pattern has no room for a space
        ({"price": "0000001"}, ["#/price"]),  # one, but in seven digits: the pattern allows six
        ({"sku": "mug-lower"}, ["#/sku"]),
        ({"sku": "X"}, ["#/sku"]),
        ({"sku": "A" * 33}, ["#/sku"]),
        ({"sku": "MUG/1"}, ["#/sku"]),
        ({"sku": "MUG\u00001"}, ["#/sku"]),
        ({"name": ""}, ["#/name"]),
        ({"name": "   "}, ["#/name"]),
        ({"name": "x" * 201}, ["#/name"]),
        ({"name": "Cup\u0000"}, ["#/name"]),
        ({"name": "\ud800"}, ["#/name"]),
        ({"description": "a\u0000b"}, ["#/description"]),
        ({"active": "maybe"}, ["#/active"]),
    ],
    ids=lambda value: json.dumps(value)[:40] if isinstance(value, dict) else None,
)
def test_an_invalid_new_product_is_a_400_with_a_pointer(
    staff_client, change, pointers, problem, nothing_written
):
    with nothing_written():
        response = _post_raw(staff_client, json.dumps({**VALID, **change}))

    problem(response, 400, "validation-error", pointers)


@pytest.mark.parametrize("missing", ["sku", "name", "price", "currency"])
def test_a_new_product_missing_a_required_field_is_a_400(
    staff_client, missing, problem, nothing_written
):
    body = {k: v for k, v in VALID.items() if k != missing}

    with nothing_written():
        response = staff_client.post("/api/v1/products", body, format="json")

    problem(response, 400, "validation-error", [f"#/{missing}"])


@pytest.mark.parametrize(
    ("change", "pointers"),
    [
        ({"price": "0"}, ["#/price"]),
        ({"price": "-5.00"}, ["#/price"]),
        ({"price": "1000000"}, ["#/price"]),
        ({"price": True}, ["#/price"]),
        ({"currency": "XXX"}, ["#/currency"]),
        ({"currency": "usd"}, ["#/currency"]),
        ({"name": ""}, ["#/name"]),
        ({"name": "  "}, ["#/name"]),
        ({"active": "maybe"}, ["#/active"]),
        ({"name": "Renamed", "price": "0"}, ["#/price"]),
    ],
    ids=lambda value: json.dumps(value)[:40] if isinstance(value, dict) else None,
)
def test_an_invalid_revision_is_a_400_and_changes_nothing(
    staff_client, products, change, pointers, problem, nothing_written
):
    with nothing_written():
        response = staff_client.patch("/api/v1/products/MUG-CLASSIC", change, format="json")

    problem(response, 400, "validation-error", pointers)


# A price and a currency each valid alone whose pair is not ("12.50" in yen) is a business
# rule the schema cannot state, so it is a 422 with its own type, never a 400.
@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"price": "1.234"}, "EUR has 2 decimal places; got 1.234"),
        ({"price": "1.5", "currency": "JPY"}, "JPY has 0 decimal places; got 1.5"),
        ({"price": "12.50", "currency": "XPF"}, "XPF has 0 decimal places; got 12.50"),
        ({"price": "1.2345", "currency": "KWD"}, "KWD has 3 decimal places; got 1.2345"),
    ],
    ids=lambda value: json.dumps(value)[:40] if isinstance(value, dict) else None,
)
def test_a_new_product_priced_finer_than_its_currency_is_a_422(
    staff_client, change, detail, problem, nothing_written
):
    with nothing_written():
        response = _post_raw(staff_client, json.dumps({**VALID, **change}))

    body = problem(response, 422, "price-too-precise", ["#/price"])
    assert body["errors"] == [{"pointer": "#/price", "detail": detail}]
    assert body["detail"] == f"price: {detail}"


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"price": "1.234"}, "EUR has 2 decimal places; got 1.234"),
        ({"currency": "JPY"}, "JPY has 0 decimal places; got 12.50"),  # its 12.50, in yen
        ({"price": "1.5", "currency": "XPF"}, "XPF has 0 decimal places; got 1.5"),
        ({"name": "Renamed", "price": "0.001"}, "EUR has 2 decimal places; got 0.001"),
    ],
    ids=lambda value: json.dumps(value)[:40] if isinstance(value, dict) else None,
)
def test_a_revision_priced_finer_than_its_currency_is_a_422_and_changes_nothing(
    staff_client, products, change, detail, problem, nothing_written
):
    with nothing_written():
        response = staff_client.patch("/api/v1/products/MUG-CLASSIC", change, format="json")

    body = problem(response, 422, "price-too-precise", ["#/price"])
    assert body["errors"] == [{"pointer": "#/price", "detail": detail}]


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", "/api/v1/products"), ("patch", "/api/v1/products/MUG-CLASSIC")],
)
@pytest.mark.parametrize(
    ("body", "content_type", "status", "slug"),
    [
        ('{"sku": "CUP-1", "name": ', "application/json", 400, "malformed-request"),
        ("\xff\xfe", "application/json", 400, "malformed-request"),
        ('["CUP-1", "Cup"]', "application/json", 400, "validation-error"),
        ('"just a string"', "application/json", 400, "validation-error"),
        ("sku=CUP-1&name=Cup", "application/x-www-form-urlencoded", 415, "unsupported-media-type"),
        ('{"sku": "CUP-1"}', "text/plain", 415, "unsupported-media-type"),
    ],
    ids=["truncated-json", "not-utf8", "array", "string", "form", "text"],
)
def test_a_body_that_is_not_a_json_object_is_refused(
    staff_client, products, method, url, body, content_type, status, slug, problem, nothing_written
):
    with nothing_written():
        response = getattr(staff_client, method)(url, body, content_type=content_type)

    problem(response, status, slug)


def test_an_empty_body_adds_nothing(staff_client, problem, nothing_written):
    with nothing_written():
        response = staff_client.post("/api/v1/products", "", content_type="application/json")

    problem(response, 400, "validation-error", ["#/currency", "#/name", "#/price", "#/sku"])


def test_an_empty_revision_leaves_the_product_as_it_was(staff_client, products):
    before = staff_client.get("/api/v1/products/MUG-CLASSIC").json()

    response = staff_client.patch(
        "/api/v1/products/MUG-CLASSIC", "", content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json() == before == staff_client.get("/api/v1/products/MUG-CLASSIC").json()


def test_a_bogus_cursor_is_a_400_problem_naming_it(anon, products, problem):
    problem(anon.get("/api/v1/products?cursor=not-a-cursor"), 400, "validation-error", ["#/cursor"])
