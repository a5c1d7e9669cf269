"""Identity across services: API tokens checked by introspection (docs/adr/0021).

The identity-hosting side is this process's own live server thread: its real
`/_internal/identity/introspect`, its real token table. The asking side is the test
thread, whose API views authenticate with IntrospectedTokenAuthentication (settings pick
that class only in a process that does not host identity, and DRF fixes a view's classes
when it is defined, so the tests set it on APIView). Both threads share settings: a
topology in which this process does not host identity would make the live server refuse
to introspect, so those tests use one service hosting everything at the live server's
URL. The full split, with `default` unhosted, is tests/platform/test_identity_split.py.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
import urllib3
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.cache.backends import base as cache_base
from django.core.cache.backends import locmem
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from shop.billing.application.issue_invoice import IssueInvoice, issue_invoice
from shop.kernel import Money
from shop.platform.auth.authentication import IntrospectedTokenAuthentication
from shop.platform.auth.introspection import PATH, RemoteUser, cache_key
from shop.platform.http.problems import Problem
from shop.platform.openhost import signing
from shop.platform.topology import Service, Topology

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

CONTEXTS = ("catalog", "inventory", "ordering", "billing")
FAST = {"connect_timeout": 0.5, "read_timeout": 2, "retries": 0, "backoff_seconds": 0.01}
NEW_PRODUCT = {
    "sku": "FRENCH-PRESS",
    "name": "French press",
    "description": "Glass and steel, 1 l.",
    "price": "29.50",
    "currency": "EUR",
}


@pytest.fixture
def introspecting(live_server, settings, monkeypatch):
    """API views here ask identity, served at the live server's URL, about every token."""
    settings.SHOP_TOPOLOGY = Topology(
        services=(Service("shop", ("identity", *CONTEXTS), live_server.url),), this="shop"
    )
    settings.SHOP_OPENHOST = {**settings.SHOP_OPENHOST, **FAST}
    monkeypatch.setattr(APIView, "authentication_classes", [IntrospectedTokenAuthentication])
    return live_server


def token(user) -> str:
    return Token.objects.create(user=user).key


def client_for(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def authenticate(key: str):
    request = APIRequestFactory().get("/api/v1/orders", HTTP_AUTHORIZATION=f"Token {key}")
    return IntrospectedTokenAuthentication().authenticate(request)


class CacheClock:
    """Time as the cache backends see it (and nothing else): moved by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture
def cache_clock(monkeypatch) -> CacheClock:
    clock = CacheClock()
    monkeypatch.setattr(locmem, "time", clock)
    monkeypatch.setattr(cache_base, "time", clock)
    return clock


# --- the identity side ------------------------------------------------------------


def ask(url: str, body: bytes, settings, signed: bool = True):
    headers = {"Content-Type": "application/json"}
    if signed:
        headers[signing.HEADER] = signing.sign(settings.SHOP_OPENHOST["secret"], "POST", PATH, body)
    return urllib3.PoolManager().request("POST", url + PATH, body=body, headers=headers)


def test_identity_says_whose_a_token_is_and_nothing_more(live_server, settings, staff, alice):
    staff_key, alice_key = token(staff), token(alice)
    carol = get_user_model().objects.create_user(username="carol", password="x", is_active=False)
    carol_key = token(carol)

    answers = {
        key: ask(live_server.url, json.dumps({"token": key}).encode(), settings)
        for key in (staff_key, alice_key, carol_key, "0" * 40, "x" * 41)
    }

    assert all(a.status == 200 for a in answers.values())
    assert answers[staff_key].headers["Cache-Control"] == "no-store"
    assert json.loads(answers[staff_key].data) == {
        "result": {
            "active": True,
            "user": {"id": staff.id, "username": "staff", "is_staff": True, "is_superuser": False},
        }
    }
    assert json.loads(answers[alice_key].data)["result"]["user"]["is_staff"] is False
    for key in (carol_key, "0" * 40, "x" * 41):  # disabled user, unknown, not a token at all
        assert json.loads(answers[key].data) == {"result": {"active": False}}
    assert b"pbkdf2" not in answers[staff_key].data and b"md5" not in answers[staff_key].data


def test_identity_answers_only_signed_well_formed_questions(live_server, settings, alice):
    body = json.dumps({"token": token(alice)}).encode()

    unsigned = ask(live_server.url, body, settings, signed=False)
    assert unsigned.status == 401
    assert unsigned.headers["Content-Type"] == "application/problem+json"
    assert b"user" not in unsigned.data
    for bad in (b"not json", b"{}", b'{"token": 7}', b"[]"):
        assert ask(live_server.url, bad, settings).status == 400


# --- the asking side --------------------------------------------------------------


def test_a_token_authenticates_as_the_user_identity_names(introspecting, staff, alice):
    user, key = authenticate(token(staff))
    assert user == RemoteUser(id=staff.id, username="staff", is_staff=True, is_superuser=False)
    assert (user.pk, user.is_authenticated, user.is_anonymous, user.is_active) == (
        staff.id,
        True,
        False,
        True,
    )
    assert authenticate(token(alice))[0].is_staff is False
    with pytest.raises(AuthenticationFailed):
        authenticate("0" * 40)


def test_customers_see_only_their_own_invoices_and_staff_alone_write(
    introspecting, staff, alice, bob, problem
):
    invoices = {}
    for user in (alice, bob):
        invoices[user.id] = str(
            issue_invoice(
                IssueInvoice(
                    order_id=f"order-of-{user.username}",
                    customer_id=user.id,
                    amount=Money(Decimal("9.90"), "EUR"),
                )
            ).id
        )
    as_alice, as_staff = client_for(token(alice)), client_for(token(staff))

    listed = as_alice.get("/api/v1/invoices")
    assert listed.status_code == 200, listed.content
    assert [i["id"] for i in listed.json()["results"]] == [invoices[alice.id]]
    problem(as_alice.get(f"/api/v1/invoices/{invoices[bob.id]}"), 404, "not-found")
    assert as_alice.get(f"/api/v1/invoices/{invoices[alice.id]}").status_code == 200

    problem(as_alice.post("/api/v1/products", NEW_PRODUCT, format="json"), 403, "forbidden")
    assert as_staff.post("/api/v1/products", NEW_PRODUCT, format="json").status_code == 201


def test_without_a_token_or_with_a_bad_one_it_is_a_401_with_a_challenge(
    introspecting, alice, problem
):
    for client in (APIClient(), client_for("0" * 40)):
        response = client.get("/api/v1/invoices")
        problem(response, 401, "not-authenticated")
        assert response["WWW-Authenticate"] == "Token"


def test_a_revoked_token_stops_working_once_its_cached_answer_expires(
    introspecting, settings, alice, cache_clock
):
    settings.SHOP_TOKEN_INTROSPECTION_SECONDS = 30
    key = token(alice)
    assert authenticate(key)[0].id == alice.id

    Token.objects.filter(key=key).delete()  # revoked in identity

    cache_clock.now += 29  # within the documented time the cached answer may still hold
    assert authenticate(key)[0].id == alice.id
    cache_clock.now += 2  # past it, identity is asked again, and says no
    with pytest.raises(AuthenticationFailed):
        authenticate(key)


def test_a_no_is_cached_for_less_time_than_a_yes(introspecting, settings, alice, cache_clock):
    settings.SHOP_TOKEN_INTROSPECTION_SECONDS = 30
    settings.SHOP_TOKEN_INTROSPECTION_NEGATIVE_SECONDS = 5
    key = "f" * 40
    with pytest.raises(AuthenticationFailed):
        authenticate(key)
    Token.objects.create(user=alice, key=key)

    cache_clock.now += 4
    with pytest.raises(AuthenticationFailed):
        authenticate(key)
    cache_clock.now += 2
    assert authenticate(key)[0].id == alice.id


def test_the_cache_holds_a_hash_of_the_token_never_the_token(introspecting, alice):
    key = token(alice)
    authenticate(key)
    with pytest.raises(AuthenticationFailed):
        authenticate("0" * 40)

    store = caches["default"]
    assert store.get(cache_key(key))["user"]["id"] == alice.id
    # Every entry, key and stored bytes alike: two answers, neither holding a token.
    assert len(store._cache) == 2
    for name, stored in store._cache.items():
        for raw in (key, "0" * 40):
            assert raw not in name
            assert raw.encode() not in stored


def test_identity_unreachable_is_a_503_never_a_401_and_never_let_through(
    settings, monkeypatch, alice, problem
):
    import socket

    key = token(alice)  # while this process still hosts identity
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings.SHOP_TOPOLOGY = Topology(
        services=(
            Service("shop", CONTEXTS, "http://127.0.0.1:9"),
            Service("identity", ("identity",), closed),
        ),
        this="shop",
    )
    settings.SHOP_OPENHOST = {**settings.SHOP_OPENHOST, **FAST}
    monkeypatch.setattr(APIView, "authentication_classes", [IntrospectedTokenAuthentication])

    response = client_for(key).get("/api/v1/invoices")

    body = problem(response, 503, "identity-unavailable")
    assert "identity" in body["detail"]
    with pytest.raises(Problem) as raised:
        authenticate("0" * 40)
    assert raised.value.status_code == 503
    # Not remembered as a "no": once identity answers, the same token works.
    assert not caches["default"].get(cache_key("0" * 40))
