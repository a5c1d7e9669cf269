"""Bad order input is a 4xx problem, never a 500 and never a partial write."""

import json
from decimal import Decimal

import pytest

from shop.catalog import api as catalog

pytestmark = pytest.mark.django_db(databases="__all__")

GOOD_LINE = {"sku": "MUG-CLASSIC", "quantity": 1}


def _order(*lines, payment_token="tok_visa"):  # noqa: S107 - a fake provider token
    return {"lines": list(lines), "payment_token": payment_token}


@pytest.mark.parametrize(
    ("body", "pointers"),
    [
        (_order({"sku": "MUG-CLASSIC", "quantity": 0}), ["#/lines/0/quantity"]),
        (_order({"sku": "MUG-CLASSIC", "quantity": -1}), ["#/lines/0/quantity"]),
        (_order({"sku": "MUG-CLASSIC", "quantity": 1001}), ["#/lines/0/quantity"]),
        (_order({"sku": "MUG-CLASSIC", "quantity": 10**30}), ["#/lines/0/quantity"]),
        (_order({"sku": "MUG-CLASSIC", "quantity": "two"}), ["#/lines/0/quantity"]),
        (_order({"sku": "MUG-CLASSIC", "quantity": 1.5}), ["#/lines/0/quantity"]),
        (_order({"sku": "MUG-CLASSIC", "quantity": True}), ["#/lines/0/quantity"]),
        (_order({"sku": "MUG-CLASSIC", "quantity": "2"}), ["#/lines/0/quantity"]),
        (_order({"sku": "MUG-CLASSIC", "quantity": 2.0}), ["#/lines/0/quantity"]),
        (_order({"sku": 5, "quantity": 1}), ["#/lines/0/sku"]),
        (_order(GOOD_LINE, payment_token=5), ["#/payment_token"]),
        (_order({"sku": "MUG-CLASSIC", "quantity": None}), ["#/lines/0/quantity"]),
        (_order({"sku": "MUG-CLASSIC", "quantity": [1]}), ["#/lines/0/quantity"]),
        (_order({"sku": "MUG-CLASSIC"}), ["#/lines/0/quantity"]),
        (_order({"quantity": 1}), ["#/lines/0/sku"]),
        (_order({"sku": "", "quantity": 1}), ["#/lines/0/sku"]),
        (_order({"sku": "A" * 33, "quantity": 1}), ["#/lines/0/sku"]),
        (_order({"sku": ["MUG-CLASSIC"], "quantity": 1}), ["#/lines/0/sku"]),
        (_order({"sku": "MUG\u0000", "quantity": 1}), ["#/lines/0/sku"]),
        (_order({"sku": "\ud800", "quantity": 1}), ["#/lines/0/sku"]),
        (_order(GOOD_LINE, {"sku": "TEA-SENCHA", "quantity": 0}), ["#/lines/1/quantity"]),
        (_order(GOOD_LINE, "MUG-CLASSIC"), ["#/lines/1"]),
        (_order(), ["#/lines"]),
        ({"lines": "MUG-CLASSIC", "payment_token": "tok_visa"}, ["#/lines"]),
        ({"lines": {"sku": "MUG-CLASSIC", "quantity": 1}, "payment_token": "x"}, ["#/lines"]),
        ({"lines": None, "payment_token": "tok_visa"}, ["#/lines"]),
        ({"payment_token": "tok_visa"}, ["#/lines"]),
        ({"lines": [GOOD_LINE]}, ["#/payment_token"]),
        (_order(GOOD_LINE, payment_token=""), ["#/payment_token"]),
        (_order(GOOD_LINE, payment_token=None), ["#/payment_token"]),
        (_order(GOOD_LINE, payment_token="t" * 65), ["#/payment_token"]),
        (_order(GOOD_LINE, payment_token={"card": "4242"}), ["#/payment_token"]),
        (_order(GOOD_LINE, payment_token="tok\u0000"), ["#/payment_token"]),
        ({}, ["#/lines", "#/payment_token"]),
    ],
    ids=lambda value: json.dumps(value)[:60] if isinstance(value, dict) else None,
)
def test_an_invalid_order_is_a_400_with_pointers(
    alice_client, products, body, pointers, problem, nothing_written
):
    # json.dumps escapes what UTF-8 cannot carry (a lone surrogate) the way a client would.
    with nothing_written():
        response = alice_client.post(
            "/api/v1/orders", json.dumps(body), content_type="application/json"
        )

    problem(response, 400, "validation-error", pointers)


@pytest.mark.parametrize(
    "lines",
    [[GOOD_LINE, GOOD_LINE], [GOOD_LINE, {"sku": "MUG-CLASSIC", "quantity": 3}]],
    ids=["same-line-twice", "same-sku-twice"],
)
def test_a_sku_on_two_lines_is_refused_by_the_order_with_a_422(
    alice_client, products, lines, problem, nothing_written
):
    # Well-formed by the schema (no JSON Schema keyword says "unique by sku"), so a rule
    # of the order refuses it, like every other one: 422, not 400.
    with nothing_written():
        response = alice_client.post("/api/v1/orders", _order(*lines), format="json")

    problem(response, 422, "order-rejected")


def test_too_many_lines_is_a_400(alice_client, problem, nothing_written):
    for number in range(51):
        catalog.add_product(
            sku=f"ITEM-{number:02d}",
            name=f"Item {number}",
            description="",
            price=Decimal("1.00"),
            currency="EUR",
        )
    lines = [{"sku": f"ITEM-{n:02d}", "quantity": 1} for n in range(51)]

    with nothing_written():
        response = alice_client.post("/api/v1/orders", _order(*lines), format="json")

    problem(response, 400, "validation-error", ["#/lines"])
    assert (
        alice_client.post("/api/v1/orders", _order(*lines[:50]), format="json").status_code == 201
    )


def test_unknown_skus_are_a_422_naming_them(alice_client, products, problem, nothing_written):
    body = _order(GOOD_LINE, {"sku": "NO-SUCH", "quantity": 1}, {"sku": "GONE", "quantity": 2})

    with nothing_written():
        response = alice_client.post("/api/v1/orders", body, format="json")

    assert problem(response, 422, "unknown-product")["skus"] == ["NO-SUCH", "GONE"]


def test_a_retired_product_cannot_be_ordered(alice_client, retired_sku, problem, nothing_written):
    body = _order(GOOD_LINE, {"sku": retired_sku, "quantity": 1})

    with nothing_written():
        response = alice_client.post("/api/v1/orders", body, format="json")

    assert problem(response, 422, "product-unavailable")["skus"] == [retired_sku]


def test_an_order_mixing_currencies_is_a_422(alice_client, products, problem, nothing_written):
    catalog.add_product(
        sku="MUG-US", name="US mug", description="", price=Decimal("14.00"), currency="USD"
    )
    body = _order(GOOD_LINE, {"sku": "MUG-US", "quantity": 1})

    with nothing_written():
        response = alice_client.post("/api/v1/orders", body, format="json")

    problem(response, 422, "order-rejected")


@pytest.mark.parametrize(
    ("body", "content_type", "status", "slug"),
    [
        ('{"lines": [{"sku": "MUG-CLASSIC", "quantity": 1}', "application/json", 400, "malformed-request"),
        ("{'lines': []}", "application/json", 400, "malformed-request"),
        ('{"lines": [], "payment_token": NaN}', "application/json", 400, "malformed-request"),
        ('[{"sku": "MUG-CLASSIC", "quantity": 1}]', "application/json", 400, "validation-error"),
        ("42", "application/json", 400, "validation-error"),
        ("null", "application/json", 400, "validation-error"),
        ("lines=MUG-CLASSIC&payment_token=tok_visa", "application/x-www-form-urlencoded", 415, "unsupported-media-type"),
        ('{"lines": []}', "application/xml", 415, "unsupported-media-type"),
    ],
    ids=["truncated", "single-quotes", "nan", "array", "number", "null", "form", "xml"],
)  # fmt: skip
def test_a_body_that_is_not_a_json_object_places_no_order(
    alice_client, products, body, content_type, status, slug, problem, nothing_written
):
    with nothing_written():
        response = alice_client.post("/api/v1/orders", body, content_type=content_type)

    problem(response, status, slug)


def test_a_bad_body_with_an_idempotency_key_remembers_nothing(
    alice_client, products, problem, nothing_written
):
    with nothing_written():
        response = alice_client.post(
            "/api/v1/orders",
            "[]",
            content_type="application/json",
            headers={"Idempotency-Key": "k1"},
        )

    problem(response, 400, "validation-error")
