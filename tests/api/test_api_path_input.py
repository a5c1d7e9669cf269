"""Odd values in the path or the query string are a 4xx problem on every store, never a 500.

PostgreSQL text cannot hold NUL, and a cursor is client input that names a position in
a typed column: neither may reach a query unchecked.
"""

import base64
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.django_db(databases="__all__")

ODD_SKUS = ["%00", "MUG%00CLASSIC", "A" * 1000, "%C3%84%C3%96", "%F0%9F%98%80", "mug-classic"]


def _cursor(position: str) -> str:
    return base64.b64encode(urlencode({"o": 0, "r": 0, "p": position}).encode()).decode()


@pytest.mark.parametrize("sku", ODD_SKUS)
def test_reading_an_odd_sku_is_a_404(staff_client, products, sku, problem):
    problem(staff_client.get(f"/api/v1/products/{sku}"), 404, "not-found")
    problem(staff_client.get(f"/api/v1/stock/{sku}"), 404, "not-found")


@pytest.mark.parametrize("sku", ODD_SKUS)
def test_writing_an_odd_sku_is_a_404_and_writes_nothing(
    staff_client, products, sku, problem, nothing_written
):
    with nothing_written():
        revised = staff_client.patch(f"/api/v1/products/{sku}", {"name": "x"}, format="json")
        counted = staff_client.put(f"/api/v1/stock/{sku}", {"on_hand": 1}, format="json")

    problem(revised, 404, "not-found")
    problem(counted, 404, "not-found")


LISTS = ["/api/v1/products", "/api/v1/orders", "/api/v1/invoices"]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("position", ["\x00", "A\x00"], ids=["nul", "trailing-nul"])
def test_a_cursor_position_holding_nul_is_a_400_problem(
    alice_client, products, url, position, problem
):
    problem(
        alice_client.get(url, {"cursor": _cursor(position)}), 400, "validation-error", ["#/cursor"]
    )


@pytest.mark.parametrize("url", ["/api/v1/orders", "/api/v1/invoices"])
@pytest.mark.parametrize("position", ["yesterday", "x" * 500, "2020-13-45T99:00:00"])
def test_a_cursor_position_that_is_not_a_time_is_a_400_problem(
    alice_client, products, url, position, problem
):
    problem(
        alice_client.get(url, {"cursor": _cursor(position)}), 400, "validation-error", ["#/cursor"]
    )


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    "cursor", ["zzz", "bm90LWEtY3Vyc29y", "%%%", "o=1", "\u00e9", _cursor("x" * 500)], ids=repr
)
def test_a_meaningless_cursor_is_a_400_problem_naming_it(
    alice_client, products, url, cursor, problem
):
    response = alice_client.get(url, {"cursor": cursor})

    body = problem(response, 400, "validation-error", ["#/cursor"])
    assert body["detail"].startswith("cursor: Invalid cursor")


@pytest.mark.parametrize(
    ("url", "position"),
    [("/api/v1/products", "M"), ("/api/v1/orders", "2020-01-01T00:00:00+00:00")],
)
def test_a_well_formed_cursor_pages_from_its_position(alice_client, products, url, position):
    response = alice_client.get(url, {"cursor": _cursor(position)})

    assert response.status_code == 200
    assert set(response.json()) == {"results", "next"}


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    "limit", ["0", "-5", "abc", "null", "", " 5", "1.5", "101", "100000", "1e2", "\u0665"], ids=repr
)
def test_a_page_size_that_is_not_from_1_to_100_is_a_400_problem_naming_it(
    alice_client, products, url, limit, problem
):
    response = alice_client.get(url, {"limit": limit})

    body = problem(response, 400, "validation-error", ["#/limit"])
    assert body["detail"] == "limit: Must be a whole number from 1 to 100."


@pytest.mark.parametrize(("limit", "expected"), [("1", 1), ("2", 2), ("100", 3), ("003", 3)])
def test_a_page_size_from_1_to_100_is_honoured(anon, products, limit, expected):
    response = anon.get("/api/v1/products", {"limit": limit})

    assert response.status_code == 200
    assert len(response.json()["results"]) == expected
