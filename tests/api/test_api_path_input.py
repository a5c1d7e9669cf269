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
def test_a_cursor_position_holding_nul_is_a_404_problem(
    alice_client, products, url, position, problem
):
    problem(alice_client.get(url, {"cursor": _cursor(position)}), 404, "not-found")


@pytest.mark.parametrize("url", ["/api/v1/orders", "/api/v1/invoices"])
@pytest.mark.parametrize("position", ["yesterday", "x" * 500, "2020-13-45T99:00:00"])
def test_a_cursor_position_that_is_not_a_time_is_a_404_problem(
    alice_client, products, url, position, problem
):
    problem(alice_client.get(url, {"cursor": _cursor(position)}), 404, "not-found")


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize("cursor", ["bm90LWEtY3Vyc29y", "%%%", "o=1", _cursor("x" * 500)], ids=repr)
def test_a_meaningless_cursor_never_fails_the_server(alice_client, products, url, cursor):
    response = alice_client.get(url, {"cursor": cursor})

    assert response.status_code in (200, 404), response.content
    assert set(response.json()) in ({"results", "next"}, {"type", "title", "status", "detail"})


@pytest.mark.parametrize(
    ("url", "position"),
    [("/api/v1/products", "M"), ("/api/v1/orders", "2020-01-01T00:00:00+00:00")],
)
def test_a_well_formed_cursor_pages_from_its_position(alice_client, products, url, position):
    response = alice_client.get(url, {"cursor": _cursor(position)})

    assert response.status_code == 200
    assert set(response.json()) == {"results", "next"}


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "100000", "1.5"])
def test_an_odd_page_size_falls_back_to_a_sane_one(anon, products, limit):
    response = anon.get("/api/v1/products", {"limit": limit})

    assert response.status_code == 200
    assert 1 <= len(response.json()["results"]) <= 100
