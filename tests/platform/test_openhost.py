"""api.py across services: the same function, DTOs and errors over real HTTP.

The remote path is exercised against this process's own internal endpoint, served by a
live server thread, and against small HTTP servers that misbehave the ways a network
and a proxy do. Nothing is mocked below the socket.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from shop.catalog import api as catalog
from shop.kernel import Money
from shop.ordering import api as ordering
from shop.platform.openhost import RemoteUnavailable, signing
from shop.platform.openhost.codec import CodecError, decode, encode
from shop.platform.openhost.functions import _call_remote
from shop.platform.topology import Service, Topology

# --- the codec ---------------------------------------------------------------------


class Colour(Enum):
    RED = "red"


@dataclass(frozen=True)
class Sample:
    total: Money
    maybe: str | None
    when: datetime
    day: date
    colour: Colour
    ratio: Decimal
    pair: tuple[int, str]
    tags: tuple[str, ...]


def test_dtos_are_rebuilt_faithfully():
    value = Sample(
        total=Money(Decimal("12.50"), "EUR"),
        maybe=None,
        when=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        day=date(2026, 12, 1),
        colour=Colour.RED,
        ratio=Decimal("0.125"),
        pair=(1, "a"),
        tags=("x", "y"),
    )
    wire = json.loads(json.dumps(encode(value)))
    assert wire["total"] == {"amount": "12.50", "currency": "EUR"}
    assert decode(Sample, wire) == value
    quotes = {"MUG": catalog.ProductQuote("MUG", "Mug", Money(Decimal("3.10"), "EUR"), True)}
    assert decode(dict[str, catalog.ProductQuote], encode(quotes)) == quotes
    assert decode(ordering.OrderSummary | None, None) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "order_id": "o",
                "customer": 1,
                "status": "s",
                "total": {"amount": "1.00", "currency": "EUR"},
            },
            "OrderSummary has no field customer",
        ),
        (
            {
                "order_id": "o",
                "customer_id": "1",
                "status": "s",
                "total": {"amount": "1.00", "currency": "EUR"},
            },
            "result.customer_id: str where a int is required",
        ),
        (
            {
                "order_id": "o",
                "customer_id": True,
                "status": "s",
                "total": {"amount": "1.00", "currency": "EUR"},
            },
            "result.customer_id: bool where a int is required",
        ),
        (
            {
                "order_id": "o",
                "customer_id": 1,
                "status": "s",
                "total": {"amount": "1.001", "currency": "EUR"},
            },
            "result.total: EUR has 2 decimal places; got 1.001",
        ),
    ],
)
def test_a_broken_contract_names_the_field(data, message):
    with pytest.raises(CodecError, match=message.replace("(", r"\(").replace(".", r"\.")):
        decode(ordering.OrderSummary | None, data, "result")


# --- signing -----------------------------------------------------------------------


def test_only_a_fresh_signature_over_the_same_request_is_accepted():
    header = signing.sign("s3cret", "POST", "/_internal/x/y", b"{}", now=1000)
    assert signing.verify("s3cret", header, "POST", "/_internal/x/y", b"{}", now=1030)
    assert not signing.verify("s3cret", header, "POST", "/_internal/x/y", b"{ }", now=1030)
    assert not signing.verify("s3cret", header, "POST", "/_internal/x/z", b"{}", now=1030)
    assert not signing.verify("other", header, "POST", "/_internal/x/y", b"{}", now=1030)
    assert not signing.verify("s3cret", header, "POST", "/_internal/x/y", b"{}", now=1061)
    assert not signing.verify("s3cret", "t=abc", "POST", "/_internal/x/y", b"{}", now=1000)


# --- the remote path against this process's own internal endpoint -----------------


def served_by(url: str) -> Topology:
    """A topology in which ordering and catalog live at `url`, another service."""
    return Topology(
        services=(
            Service("here", ("identity", "inventory", "billing"), "http://127.0.0.1:9"),
            Service("there", ("catalog", "ordering"), url),
        ),
        this="here",
    )


@pytest.fixture
def remote(live_server):
    """Call an api function as a process that does not host its context would."""

    def call(function, *args, **kwargs):
        return _call_remote(function.exposed, served_by(live_server.url), args, kwargs)

    return call


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_remote_call_answers_what_the_local_call_answers(remote):
    catalog.add_product(
        sku="MUG-1", name="Mug", description="A mug", price=Decimal("3.10"), currency="EUR"
    )

    assert remote(catalog.quote, ["MUG-1", "NOPE"]) == catalog.quote(["MUG-1", "NOPE"])
    assert remote(catalog.product_exists, "MUG-1") is True
    assert remote(catalog.product_exists, sku="NOPE") is False
    assert remote(ordering.order_summary, "not-an-order") is None


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_typed_error_is_raised_again_on_the_calling_side(remote):
    kwargs = {
        "sku": "MUG-1",
        "name": "Mug",
        "description": "",
        "price": Decimal("3.10"),
        "currency": "EUR",
    }
    catalog.add_product(**kwargs)
    with pytest.raises(ValueError) as raised:
        remote(catalog.add_product, **kwargs)
    assert type(raised.value) is ValueError
    assert "MUG-1" in str(raised.value)


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_internal_endpoints_refuse_unsigned_calls_and_unknown_functions(live_server, settings):
    import urllib3

    http = urllib3.PoolManager()
    path = "/_internal/catalog/product_exists"
    body = b'{"arguments": {"sku": "X"}}'
    unsigned = http.request("POST", live_server.url + path, body=body)
    assert unsigned.status == 401
    assert unsigned.headers["Content-Type"] == "application/problem+json"
    secret = settings.SHOP_OPENHOST["secret"]
    for bad in ["/_internal/catalog/_level", "/_internal/nowhere/quote"]:
        signed = {signing.HEADER: signing.sign(secret, "POST", bad, body)}
        assert http.request("POST", live_server.url + bad, body=body, headers=signed).status == 404
    wrong = b'{"arguments": {"skus": "X"}}'
    signed = {signing.HEADER: signing.sign(secret, "POST", path, wrong)}
    assert http.request("POST", live_server.url + path, body=wrong, headers=signed).status == 400


# --- what a network and a proxy do -------------------------------------------------


class Stub:
    """An HTTP server answering each POST from a script: (status, content type, body, delay)."""

    def __init__(self, script):
        self.script, self.requests = list(script), 0
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stub.requests += 1
                status, kind, body, delay = stub.script[min(stub.requests, len(stub.script)) - 1]
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stub():
    made = []

    def make(*script):
        made.append(Stub(script))
        return made[-1]

    yield make
    for server in made:
        server.close()


FAST = {
    "connect_timeout": 0.5,
    "read_timeout": 0.3,
    "retries": 2,
    "backoff_seconds": 0.01,
    "breaker_failures": 3,
    "breaker_reset_seconds": 30,
}


@pytest.fixture(autouse=True)
def fast_client(settings):
    """Short timeouts; a new configuration also makes a new client, with fresh breakers."""
    settings.SHOP_OPENHOST = {**settings.SHOP_OPENHOST, **FAST}


def call_via(url, function=ordering.order_summary, *args):
    return _call_remote(function.exposed, served_by(url), args or ("x",), {})


RESULT = (200, "application/json", b'{"result": null}', 0)
HTML_404 = (404, "text/html", b"<html><body>404 Not Found</body></html>", 0)


@pytest.mark.parametrize(
    "answer",
    [
        HTML_404,
        (500, "application/problem+json", b'{"status": 500}', 0),
        (200, "text/html", b"<html>maintenance</html>", 0),
        (200, "application/json", b'{"unexpected": 1}', 0),
        (200, "application/json", b"not json", 0),
        (200, "application/json", b'{"result": null}', 1.0),  # slower than the read timeout
    ],
    ids=["proxy-404", "500", "html-200", "foreign-json", "broken-json", "timeout"],
)
def test_an_answer_that_is_not_ours_is_unavailable_never_not_found(stub, answer):
    server = stub(answer)
    with pytest.raises(RemoteUnavailable, match="service 'there'"):
        call_via(server.url)


def test_an_unreachable_service_is_unavailable(stub):
    server = stub(RESULT)
    url = server.url
    server.close()
    with pytest.raises(RemoteUnavailable, match="service 'there'"):
        call_via(url)


def test_a_query_is_retried_on_503(stub):
    unavailable = (503, "application/problem+json", b"{}", 0)
    server = stub(unavailable, unavailable, RESULT)
    assert call_via(server.url) is None
    assert server.requests == 3


def test_a_command_is_never_repeated(stub):
    server = stub((503, "application/problem+json", b"{}", 0), RESULT)
    with pytest.raises(RemoteUnavailable):
        _call_remote(
            catalog.add_product.exposed,
            served_by(server.url),
            (),
            {
                "sku": "S",
                "name": "n",
                "description": "",
                "price": Decimal("1.00"),
                "currency": "EUR",
            },
        )
    assert server.requests == 1


def test_the_breaker_opens_after_repeated_failures_and_then_fails_fast(stub, settings):
    settings.SHOP_OPENHOST = {**settings.SHOP_OPENHOST, "retries": 0}
    server = stub(HTML_404)
    for _ in range(FAST["breaker_failures"]):
        with pytest.raises(RemoteUnavailable):
            call_via(server.url)
    seen = server.requests
    with pytest.raises(RemoteUnavailable, match="circuit breaker is open"):
        call_via(server.url)
    assert server.requests == seen  # not even tried


def test_a_caller_in_a_process_that_does_not_host_the_context_goes_over_http(stub, settings):
    summary = {
        "order_id": "o-1",
        "customer_id": 7,
        "status": "confirmed",
        "total": {"amount": "9.90", "currency": "EUR"},
    }
    server = stub((200, "application/json", json.dumps({"result": summary}).encode(), 0))
    with override_settings(SHOP_TOPOLOGY=served_by(server.url)):
        got = ordering.order_summary("o-1")
    assert got == ordering.OrderSummary("o-1", 7, "confirmed", Money(Decimal("9.90"), "EUR"))
    assert server.requests == 1


def test_a_malformed_signature_is_refused_never_an_error():
    for header in [
        "t=1" + "0" * 400 + ",s=" + "0" * 64,
        "t=1000,s=é",
        "t=-5,s=" + "0" * 64,
        "s=,t=",
    ]:
        assert not signing.verify("s3cret", header, "POST", "/_internal/x/y", b"{}", now=1000)


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_failure_on_the_serving_side_is_unavailable_never_a_typed_answer(remote, monkeypatch):
    from shop.catalog.application import queries

    def broken(*args, **kwargs):
        raise RuntimeError("could not connect to server: password authentication failed")

    monkeypatch.setattr(queries, "products", broken)
    with pytest.raises(RemoteUnavailable, match="answered 500"):
        remote(catalog.quote, ["MUG-1"])
