"""Shared fixtures for the REST API v1 tests.

Every test speaks to the shop over its real HTTP routes. Data is created the way a
user or another context would create it: users through Django's user model (the
identity subdomain has no public API), tokens through POST /api/v1/auth/token,
products and stock through `shop.catalog.api` and `shop.inventory.api`.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connections
from rest_framework.test import APIClient

from shop.catalog import api as catalog
from shop.inventory import api as inventory

PASSWORDS = {"staff": "staff-pass-1", "alice": "alice-pass-1", "bob": "bob-pass-1"}

# (sku, name, price in EUR, units on hand)
PRODUCTS = [
    ("KETTLE-STEEL", "Steel kettle", "39.00", 25),
    ("MUG-CLASSIC", "Classic mug", "12.50", 120),
    ("TEA-SENCHA", "Sencha", "11.20", 150),
]

PROBLEM_TYPE = "urn:shop:problem:"


@pytest.fixture(autouse=True)
def private_cache(settings) -> Iterator[None]:
    """Each test counts sign-in failures in an empty in-process cache of its own.

    Settings default to a file cache in SHOP_DATA_DIR, which test runs side by side would
    share; a throttle filled by one test must never refuse another's sign-in.
    """
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid.uuid4()}",
        }
    }
    cache = caches["default"]
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Every client logs in once per test; the production hasher would dominate run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(username: str, *, is_staff: bool = False):
    return get_user_model().objects.create_user(
        username=username, password=PASSWORDS[username], is_staff=is_staff
    )


@pytest.fixture
def staff():
    return _user("staff", is_staff=True)


@pytest.fixture
def alice():
    return _user("alice")


@pytest.fixture
def bob():
    return _user("bob")


def token_for(username: str) -> str:
    response = APIClient().post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORDS[username]},
        format="json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _client_with_token(username: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(username)}")
    return client


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def staff_client(staff) -> APIClient:
    return _client_with_token("staff")


@pytest.fixture
def alice_client(alice) -> APIClient:
    return _client_with_token("alice")


@pytest.fixture
def bob_client(bob) -> APIClient:
    return _client_with_token("bob")


@pytest.fixture
def products() -> dict[str, Decimal]:
    """Three EUR products with stock; returns each sku's price."""
    for sku, name, price, on_hand in PRODUCTS:
        catalog.add_product(
            sku=sku, name=name, description=f"{name}.", price=Decimal(price), currency="EUR"
        )
        inventory.count_stock(sku=sku, on_hand=on_hand)
    return {sku: Decimal(price) for sku, _, price, _ in PRODUCTS}


@pytest.fixture
def retired_sku(products, staff_client) -> str:
    """A product the catalog once sold and has since retired (through the staff API)."""
    catalog.add_product(
        sku="OLD-MUG", name="Old mug", description="", price=Decimal("5.00"), currency="EUR"
    )
    inventory.count_stock(sku="OLD-MUG", on_hand=4)
    response = staff_client.patch("/api/v1/products/OLD-MUG", {"active": False}, format="json")
    assert response.status_code == 200, response.content
    return "OLD-MUG"


def stored_rows() -> dict[str, list[dict]]:
    """Every row of every model in every store (identity and the four contexts)."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


@pytest.fixture
def nothing_written() -> Callable[[], AbstractContextManager[None]]:
    """`with nothing_written(): ...` asserts the block left every store exactly as it was."""

    @contextmanager
    def check() -> Iterator[None]:
        before = stored_rows()
        yield
        after = stored_rows()
        changed = sorted(label for label in before if before[label] != after[label])
        assert not changed, f"a rejected request wrote to {changed}"

    return check


def assert_problem(response, status: int, slug: str, pointers: list[str] | None = None) -> dict:
    """The response is an RFC 9457 problem of the given type; returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].split(";")[0] == "application/problem+json"
    body = response.json()
    assert body["type"] == PROBLEM_TYPE + slug, body
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if pointers is not None:
        assert sorted({error["pointer"] for error in body["errors"]}) == sorted(pointers), body
    return body


@pytest.fixture
def problem() -> Callable[..., dict]:
    return assert_problem


@pytest.fixture
def unreachable_store(tmp_path) -> Iterator[Callable[[str], None]]:
    """Point one alias at a store that cannot be reached, for this test only.

    The alias gets a fresh connection built from a copy of its settings, aimed at a
    SQLite file in a missing folder or a closed PostgreSQL port. The real connection
    (holding the test's transaction) is never touched and is put back afterwards.
    """
    swapped = []

    def break_alias(alias: str) -> None:
        real = connections[alias]
        settings_dict = copy.deepcopy(real.settings_dict)
        if real.vendor == "sqlite":
            settings_dict["NAME"] = str(tmp_path / "missing-folder" / f"{alias}.sqlite3")
        else:
            settings_dict.update(HOST="127.0.0.1", PORT="1")
            settings_dict["OPTIONS"] = {**settings_dict["OPTIONS"], "connect_timeout": 2}
        broken = type(real)(settings_dict, alias)
        connections[alias] = broken
        swapped.append((alias, real, broken))

    yield break_alias
    for alias, real, broken in reversed(swapped):
        broken.close()
        connections[alias] = real
