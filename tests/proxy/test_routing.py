"""Through a real nginx: which upstream answers each prefix in each state, and what it receives."""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.nginx

INVOICE = f"/api/v1/invoices/{uuid.uuid4()}"
# (path, who answers it in monolith/shadow, in cutover)
ROUTES = [
    ("/api/v1/invoices", "shop", "billing"),
    ("/api/v1/invoices?status=paid", "shop", "billing"),
    (INVOICE, "shop", "billing"),
    ("/api/v1/invoicesX", "shop", "shop"),  # another prefix, not billing's
    ("/api/v1/orders", "shop", "shop"),
    (f"/api/v1/orders/{uuid.uuid4()}", "shop", "shop"),
    ("/api/v1/products", "shop", "shop"),
    ("/api/v1/auth/token", "shop", "shop"),
    ("/api/docs/", "shop", "shop"),
    ("/admin/", "shop", "shop"),
    ("/readyz", "shop", "shop"),
]
INTERNAL = [
    "/_internal/ordering/order_summary",
    "/_internal/identity/introspect",
    "/_internal/events/billing/arrived",
    "/%5Finternal/ordering/order_summary",  # decoded before matching
    "//_internal/ordering/order_summary",  # slashes merged before matching
    "/api/../_internal/ordering/order_summary",
]


@pytest.mark.parametrize("state", ["monolith", "shadow", "cutover", "rollback"])
def test_each_prefix_goes_to_the_service_of_the_state(proxy, state):
    proxy.apply(state)

    for path, before, after in ROUTES:
        expected = after if state == "cutover" else before
        for method in ("GET", "POST"):
            answer = proxy.request(method, path)
            assert (answer.status, answer.body.get("served_by")) == (200, expected), (method, path)
            assert answer.body["path"] == path  # passed on as the client sent it

    logged = [line for line in proxy.log(lines=2 * len(ROUTES)) if line["method"] == "GET"]
    # Compared without their order: nginx logs a mirrored request (shadow) only once its
    # mirror has answered too, which may be after the requests that followed it.
    assert sorted((line["uri"], line["upstream"]) for line in logged) == sorted(
        (path, after if state == "cutover" else before) for path, before, after in ROUTES
    )
    assert {line["state"] for line in logged} == {"monolith" if state == "rollback" else state}


@pytest.mark.parametrize("state", ["monolith", "shadow", "cutover"])
def test_internal_endpoints_answer_404_from_outside_in_every_state(proxy, state):
    proxy.apply(state)

    for path in INTERNAL:
        for method in ("GET", "POST"):
            answer = proxy.request(method, path, body=b"{}" if method == "POST" else b"")
            assert answer.status == 404, (method, path)
            assert answer.headers["Content-Type"] == "application/problem+json"
            assert answer.body["type"] == "urn:shop:problem:not-found"

    reached = [r.path for u in (proxy.monolith, proxy.billing) for r in u.received]
    assert reached == []


def test_host_is_preserved_port_included(proxy):
    proxy.apply("cutover")

    proxy.request("GET", "/api/v1/orders", headers={"Host": "shop.example:8443"})
    proxy.request("GET", "/api/v1/invoices", headers={"Host": "shop.example"})

    assert [r.host for r in proxy.monolith.received] == ["shop.example:8443"]
    assert [r.host for r in proxy.billing.received] == ["shop.example"]


def test_a_clients_request_id_is_passed_on_and_logged(proxy):
    proxy.apply("cutover")

    proxy.request("GET", "/api/v1/invoices", headers={"X-Request-ID": "client-id.1:a_b"})

    [received] = proxy.billing.received
    assert received.request_id == "client-id.1:a_b"
    [line] = proxy.log()
    assert line["request_id"] == "client-id.1:a_b"
    assert line["upstream"] == "billing"
    assert line["upstream_addr"] == f"127.0.0.1:{proxy.billing.port}"
    assert (line["status"], line["upstream_status"]) == (200, "200")


@pytest.mark.parametrize("sent", [None, "not/allowed", "x" * 129])
def test_a_request_without_a_usable_id_gets_nginx_s_own_everywhere(proxy, sent):
    # The shop would replace an id outside [A-Za-z0-9._:-]{1,128}; so does the proxy, so the
    # id in nginx's log is the one the shop logs.
    proxy.apply("monolith")

    proxy.request("GET", "/api/v1/orders", headers={"X-Request-ID": sent} if sent else {})

    [received] = proxy.monolith.received
    assert re.fullmatch(r"[0-9a-f]{32}", received.request_id)
    [line] = proxy.log()
    assert line["request_id"] == received.request_id
    assert (line["upstream"], line["upstream_addr"], line["status"]) == (
        "shop",
        f"127.0.0.1:{proxy.monolith.port}",
        200,
    )


def test_upstream_connections_are_kept_alive(proxy):
    proxy.apply("monolith")

    for _ in range(5):
        assert proxy.request("GET", "/api/v1/products").status == 200

    assert len(proxy.monolith.received) == 5
    assert len({r.connection for r in proxy.monolith.received}) == 1


def test_a_post_whose_upstream_fails_is_sent_once_and_never_elsewhere(proxy):
    proxy.apply("cutover")
    assert proxy.request("GET", "/api/v1/invoices").status == 200  # a kept-alive connection
    proxy.billing.drop = {"POST"}

    answer = proxy.request("POST", "/api/v1/invoices", body=b'{"amount": 1}')

    assert answer.status == 502
    assert len(proxy.billing.seen("POST")) == 1
    assert proxy.monolith.received == []


def test_a_get_whose_kept_alive_connection_fails_is_tried_again(proxy):
    # The contrast to the POST above: the same failure, on an idempotent request, is retried
    # once on a fresh connection (and fails again here: the upstream drops every GET).
    proxy.apply("cutover")
    assert proxy.request("POST", "/api/v1/invoices").status == 200  # a kept-alive connection
    proxy.billing.drop = {"GET"}

    answer = proxy.request("GET", "/api/v1/invoices")

    assert answer.status == 502
    assert len(proxy.billing.seen("GET")) == 2
    assert proxy.monolith.received == []
