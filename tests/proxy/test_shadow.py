"""Shadow: the monolith answers; billing's GETs also reach the billing service, and no more."""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.nginx

INVOICE = f"/api/v1/invoices/{uuid.uuid4()}"


def test_clients_get_the_monoliths_answer_and_billing_gets_a_copy_of_each_get(proxy, eventually):
    proxy.apply("shadow")

    sent = [
        proxy.request("GET", "/api/v1/invoices?limit=2", headers={"X-Request-ID": "rid-1"}),
        proxy.request("GET", INVOICE, headers={"Host": "shop.example:8443"}),
    ]

    assert [(a.status, a.body["served_by"]) for a in sent] == [(200, "shop"), (200, "shop")]
    served = proxy.monolith.received
    mirrored = eventually(lambda: _at_least(proxy.billing.received, 2))
    assert [(r.method, r.path, r.shadow) for r in mirrored] == [
        ("GET", "/api/v1/invoices?limit=2", "1"),
        ("GET", INVOICE, "1"),
    ]
    # The copy carries the real request's id, even one nginx made up, and its Host.
    assert [r.request_id for r in mirrored] == [r.request_id for r in served]
    assert served[0].request_id == "rid-1" and re.fullmatch(r"[0-9a-f]{32}", served[1].request_id)
    assert [r.host for r in mirrored] == [r.host for r in served]
    assert mirrored[1].host == "shop.example:8443"
    shadow_log = proxy.log("shadow", lines=2)
    assert [(line["request_id"], line["upstream"], line["status"]) for line in shadow_log] == [
        (r.request_id, "billing", 200) for r in served
    ]


def test_a_clients_own_shadow_header_never_reaches_a_service(proxy, eventually):
    """Only the mirror marks a request as a shadow copy (shop.platform.shadow.recording)."""
    proxy.apply("shadow")

    proxy.request("GET", INVOICE, headers={"X-Shop-Shadow": "1"})
    proxy.request("GET", "/api/v1/orders", headers={"X-Shop-Shadow": "1"})

    [mirrored] = eventually(lambda: _at_least(proxy.billing.received, 1))
    assert mirrored.shadow == "1"
    assert [r.shadow for r in proxy.monolith.received] == [None, None]


def test_only_gets_to_billings_prefixes_are_mirrored(proxy):
    proxy.apply("shadow")

    for method, path in [
        ("POST", "/api/v1/invoices"),
        ("PUT", INVOICE),
        ("DELETE", INVOICE),
        ("GET", "/api/v1/orders"),
        ("POST", "/api/v1/orders"),
        ("GET", "/api/v1/products"),
    ]:
        answer = proxy.request(method, path, body=b'{"x": 1}' if method != "GET" else b"")
        assert (answer.status, answer.body["served_by"]) == (200, "shop")
    # A GET after them all: once its copy has arrived, any copy of the others would have too.
    proxy.request("GET", "/api/v1/invoices")

    proxy.log("shadow", lines=1)
    assert [(r.method, r.path) for r in proxy.billing.received] == [("GET", "/api/v1/invoices")]
    assert len(proxy.monolith.received) == 7
    assert proxy.monolith.seen("POST", "/api/v1/invoices")[0].body == b'{"x": 1}'


def test_a_slow_shadow_does_not_slow_the_clients_answer(proxy, eventually):
    proxy.apply("shadow")
    proxy.billing.delay["GET"] = 5

    answer = proxy.request("GET", INVOICE)

    assert (answer.status, answer.body["served_by"]) == (200, "shop")
    assert answer.seconds < 0.5
    eventually(lambda: _at_least(proxy.billing.received, 1))
    # nginx gives up on the copy at the mirror's read timeout (1 s), not the shadow's 5 s.
    [line] = proxy.log("shadow", lines=1)
    assert line["status"] == 504
    assert float(line["request_time"]) < 2


def test_a_shadow_that_is_down_does_not_fail_the_clients_request(proxy):
    proxy.apply("shadow")
    proxy.billing.stop()

    answer = proxy.request("GET", "/api/v1/invoices")

    assert (answer.status, answer.body["served_by"]) == (200, "shop")
    assert answer.seconds < 0.5
    assert proxy.log("shadow", lines=1)[0]["status"] == 502


def _at_least(received: list, count: int) -> list:
    assert len(received) >= count
    return list(received)
