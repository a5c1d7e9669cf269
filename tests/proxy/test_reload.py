"""State changes on a running nginx: one command each, and no request lost to them."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import urllib3
from django.core.management.base import CommandError

pytestmark = pytest.mark.nginx

INVOICE = f"/api/v1/invoices/{uuid.uuid4()}"


def test_a_client_loop_through_every_state_change_sees_no_failed_request(proxy):
    proxy.apply("monolith")
    answers: list[tuple[str, str, str]] = []  # (state in force when sent, path, who answered)
    failures: list[str] = []
    state = ["monolith"]
    stop = threading.Event()

    def client(requests: list[tuple[str, str]]) -> None:
        """Each request on a new connection."""
        while not stop.is_set():
            for method, path in requests:
                sent_in = state[0]
                try:
                    answer = proxy.request(method, path, body=b"{}" if method == "POST" else b"")
                except OSError as error:
                    failures.append(f"{method} {path} in {sent_in}: {error!r}")
                    continue
                if answer.status != 200:
                    failures.append(f"{method} {path} in {sent_in}: {answer.status}")
                answers.append((sent_in, path, answer.body.get("served_by")))

    def keepalive_client() -> None:
        """GETs over kept-alive connections, as an ordinary HTTP client (urllib3) sends them:
        a connection nginx closed while idle, at a reload, is not reused."""
        pool = urllib3.PoolManager(maxsize=1)
        while not stop.is_set():
            for path in ("/api/v1/invoices", "/api/v1/products"):
                sent_in = state[0]
                try:
                    answer = pool.request("GET", f"http://127.0.0.1:{proxy.port}{path}")
                except urllib3.exceptions.HTTPError as error:
                    failures.append(f"kept-alive GET {path} in {sent_in}: {error!r}")
                    continue
                if answer.status != 200:
                    failures.append(f"kept-alive GET {path} in {sent_in}: {answer.status}")
                answers.append((sent_in, path, answer.json()["served_by"]))

    clients = [
        threading.Thread(target=client, args=(requests,))
        for requests in (
            [("GET", "/api/v1/invoices"), ("GET", "/api/v1/products")],
            [("GET", INVOICE), ("POST", "/api/v1/orders")],
            [("POST", "/api/v1/invoices"), ("GET", "/api/v1/orders")],
        )
    ]
    clients.append(threading.Thread(target=keepalive_client))
    for thread in clients:
        thread.start()
    try:
        for next_state in ("shadow", "cutover", "rollback"):
            time.sleep(0.4)
            state[0] = f"changing to {next_state}"  # answered by either config
            proxy.apply(next_state)
            state[0] = next_state
            # The command returns once the new config serves: the very next request obeys it.
            expected = "billing" if next_state == "cutover" else "shop"
            assert proxy.request("GET", "/api/v1/invoices").body["served_by"] == expected
        time.sleep(0.4)
    finally:
        stop.set()
        for thread in clients:
            thread.join(10)

    assert failures == []
    assert len(answers) > 100
    # Requests sent after a state change took effect were answered as that state says.
    billing_paths = {"/api/v1/invoices", INVOICE}
    for sent_in, path, served_by in answers:
        if path not in billing_paths:
            assert served_by == "shop", (sent_in, path)
    in_cutover = {
        served for sent, path, served in answers if sent == "cutover" and path in billing_paths
    }
    assert in_cutover == {"billing"}
    assert {served for sent, path, served in answers if sent == "rollback"} == {"shop"}
    # The shadow copies went out while it lasted, and only GETs.
    assert {r.method for r in proxy.billing.received if r.shadow} == {"GET"}


def test_rollback_is_one_command_from_what_the_prefix_remembers(proxy):
    proxy.apply("cutover")
    assert proxy.request("GET", INVOICE).body["served_by"] == "billing"

    printed = proxy.apply("rollback")  # --state rollback --prefix DIR --reload, nothing else

    assert "rollback: state monolith: shop serves everything" in printed
    assert proxy.request("GET", INVOICE).body["served_by"] == "shop"


def test_a_config_nginx_refuses_leaves_the_running_one_in_force(proxy):
    proxy.apply("monolith")
    before = proxy.nginx.conf.read_text()
    (proxy.nginx.logs / "shadow.log").mkdir()  # the shadow state's log cannot be opened

    with pytest.raises(CommandError) as refused:
        proxy.apply("shadow")

    message = str(refused.value)
    assert message.startswith("nginx -t refused the new config, the old one stays: ")
    assert "shadow.log" in message and "\n" not in message
    assert proxy.nginx.conf.read_text() == before
    assert proxy.nginx.saved_state()["state"] == "monolith"
    assert not list(proxy.nginx.prefix.glob(".nginx.conf.*"))
    assert proxy.request("GET", "/api/v1/invoices").status == 200
    assert proxy.billing.received == []  # still no mirror: the monolith state serves
