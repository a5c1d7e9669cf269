"""/api/v1/stock/{sku}: anyone reads a count, staff record one."""

from decimal import Decimal

import pytest

from shop.catalog import api as catalog
from shop.inventory.infrastructure.models import StockItemRecord

pytestmark = pytest.mark.django_db(databases="__all__")


def test_anyone_reads_the_stock_of_a_sku(anon, products):
    response = anon.get("/api/v1/stock/MUG-CLASSIC")

    assert response.status_code == 200
    assert response.json() == {
        "sku": "MUG-CLASSIC",
        "on_hand": 120,
        "reserved": 0,
        "available": 120,
    }


def test_a_sku_never_counted_is_a_404(anon, products, problem):
    catalog.add_product(
        sku="NEW-ITEM", name="New", description="", price=Decimal("1.00"), currency="EUR"
    )

    problem(anon.get("/api/v1/stock/NEW-ITEM"), 404, "not-found")
    problem(anon.get("/api/v1/stock/NO-SUCH"), 404, "not-found")


@pytest.mark.parametrize("on_hand", [0, 7, 1_000_000_000])
def test_staff_set_the_units_on_hand(staff_client, anon, products, on_hand):
    response = staff_client.put("/api/v1/stock/MUG-CLASSIC", {"on_hand": on_hand}, format="json")

    assert response.status_code == 200, response.content
    expected = {"sku": "MUG-CLASSIC", "on_hand": on_hand, "reserved": 0, "available": on_hand}
    assert response.json() == expected
    assert anon.get("/api/v1/stock/MUG-CLASSIC").json() == expected


def test_staff_count_a_catalog_sku_for_the_first_time(staff_client, products):
    catalog.add_product(
        sku="NEW-ITEM", name="New", description="", price=Decimal("1.00"), currency="EUR"
    )

    response = staff_client.put("/api/v1/stock/NEW-ITEM", {"on_hand": 5}, format="json")

    assert response.status_code == 200, response.content
    assert StockItemRecord.objects.get(sku="NEW-ITEM").on_hand == 5


def test_a_customer_cannot_set_stock(alice_client, products, problem, nothing_written):
    with nothing_written():
        response = alice_client.put("/api/v1/stock/MUG-CLASSIC", {"on_hand": 1}, format="json")

    problem(response, 403, "forbidden")


def test_setting_stock_anonymously_is_a_401(anon, products, problem, nothing_written):
    with nothing_written():
        response = anon.put("/api/v1/stock/MUG-CLASSIC", {"on_hand": 1}, format="json")

    problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize(
    "body",
    [
        {"on_hand": -1},
        {"on_hand": 1_000_000_001},
        {"on_hand": 10**30},
        {"on_hand": "ten"},
        {"on_hand": 2.5},
        {"on_hand": 2.0},
        {"on_hand": "5"},
        {"on_hand": True},
        {"on_hand": None},
        {"on_hand": [5]},
        {"on_hand": ""},
        {},
        {"reserved": 5},
    ],
    ids=lambda body: repr(body)[:40],
)
def test_an_invalid_count_is_a_400(staff_client, products, body, problem, nothing_written):
    with nothing_written():
        response = staff_client.put("/api/v1/stock/MUG-CLASSIC", body, format="json")

    problem(response, 400, "validation-error", ["#/on_hand"])


@pytest.mark.parametrize(
    ("body", "content_type", "status", "slug"),
    [
        ('{"on_hand": ', "application/json", 400, "malformed-request"),
        ("[5]", "application/json", 400, "validation-error"),
        ("on_hand=5", "application/x-www-form-urlencoded", 415, "unsupported-media-type"),
        ("5", "text/plain", 415, "unsupported-media-type"),
    ],
    ids=["truncated", "array", "form", "text"],
)
def test_a_body_that_is_not_a_json_object_changes_no_stock(
    staff_client, products, body, content_type, status, slug, problem, nothing_written
):
    with nothing_written():
        response = staff_client.put("/api/v1/stock/MUG-CLASSIC", body, content_type=content_type)

    problem(response, status, slug)


def test_counting_a_sku_the_catalog_does_not_know_is_a_404(
    staff_client, products, problem, nothing_written
):
    with nothing_written():
        response = staff_client.put("/api/v1/stock/NO-SUCH", {"on_hand": 5}, format="json")

    problem(response, 404, "not-found")
