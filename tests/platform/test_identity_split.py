"""A service that does not host identity, as its own process: tokens work there too.

The `billing` service of a split (hosting catalog and billing, so both the "own
invoices only" and the "staff-only writes" rules can be driven) runs as a gunicorn
subprocess over SQLite stores of its own; its `default` alias is unhosted. Identity is
this test's live server (the real introspection endpoint and token table), reached
through a small gate the test can close, as a proxy whose upstream is down would answer.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import urllib3
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from tests.contexts import all_but, hosts

ROOT = Path(__file__).resolve().parents[2]
PROBLEM = "application/problem+json"

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gate:
    """Forwards POSTs to identity while open; closed, answers 502 HTML like a proxy."""

    def __init__(self, upstream: str) -> None:
        self.open = True
        self.asked = 0
        gate = self
        http = urllib3.PoolManager()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                gate.asked += 1
                if gate.open:
                    answer = http.request(
                        "POST", upstream + self.path, body=body, headers=dict(self.headers)
                    )
                    status, kind, data = answer.status, answer.headers["Content-Type"], answer.data
                else:
                    status, kind, data = 502, "text/html", b"<html>502 Bad Gateway</html>"
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


SEED = """
import json
from decimal import Decimal
from django.db import transaction
from django.utils import timezone
from shop.billing.domain.invoice import Invoice
from shop.billing.infrastructure import DATABASE, repository
from shop.kernel import Money

made = {}
for customer in CUSTOMERS:
    invoice = Invoice(order_id=f"order-{customer}", customer_id=customer,
                      amount=Money(Decimal("9.90"), "EUR"), issued_at=timezone.now())
    with transaction.atomic(using=DATABASE):
        repository.save(invoice)
    made[customer] = str(invoice.id)
print(json.dumps(made))
"""


class BillingService:
    def __init__(self, url: str, gate: Gate, invoices: dict[int, str], log: Path) -> None:
        self.url, self.gate, self.invoices, self.log = url, gate, invoices, log
        self.http = urllib3.PoolManager(retries=False, timeout=10)

    def request(self, method: str, path: str, key: str | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if key:
            headers["Authorization"] = f"Token {key}"
        return self.http.request(method, self.url + path, headers=headers, **kwargs)


def _user(username: str, **flags):
    user = get_user_model().objects.create_user(username=username, password="x", **flags)
    return user, Token.objects.create(user=user).key


@pytest.fixture
def users(db):
    return {name: _user(name, is_staff=name == "staff") for name in ("alice", "bob", "staff")}


@pytest.fixture
def billing_service(live_server, users, settings, tmp_path, eventually):
    gate = Gate(live_server.url)
    port = free_port()
    topology = tmp_path / "split.toml"
    topology.write_text(
        f"""
[services.shop]
{hosts(all_but("catalog", "billing"))}
url = "{gate.url}"

[services.billing]
hosts = ["catalog", "billing"]
url = "http://127.0.0.1:{port}"
"""
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SHOP_")},
        "SHOP_DEBUG": "0",
        "SHOP_SECRET_KEY": "split-test-key-" + "x" * 40,
        "SHOP_HTTPS": "0",
        "SHOP_DATA_DIR": str(tmp_path / "var"),
        "SHOP_TOPOLOGY": str(topology),
        "SHOP_SERVICE": "billing",
        "SHOP_EVENT_TRANSPORT": "celery",
        "SHOP_REDIS_URL": "redis://127.0.0.1:1/0",
        "SHOP_CACHE_URL": "locmem://",
        "SHOP_INTERNAL_SECRET": settings.SHOP_OPENHOST["secret"],
        "SHOP_INTERNAL_RETRIES": "0",
        "SHOP_INTERNAL_BREAKER_FAILURES": "1000",
        "SHOP_TOKEN_INTROSPECTION_SECONDS": "1",
        "SHOP_LOG_FORMAT": "json",
    }
    for command in (
        [sys.executable, "manage.py", "migrate_all"],
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            f"CUSTOMERS = {[users['alice'][0].id, users['bob'][0].id]}\n{SEED}",
        ],
    ):
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
    invoices = {int(k): v for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}

    log = tmp_path / "gunicorn.log"
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "shop.site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    service = BillingService(f"http://127.0.0.1:{port}", gate, invoices, log)
    try:

        def up():
            assert process.poll() is None, log.read_text()
            try:
                assert service.request("GET", "/healthz").status == 200
            except urllib3.exceptions.HTTPError as error:
                raise AssertionError(str(error)) from None

        eventually(up, timeout=60, interval=0.2)
        yield service
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        gate.close()


def problem(response, status: int, slug: str) -> dict:
    assert response.status == status, response.data
    assert response.headers["Content-Type"].split(";")[0] == PROBLEM
    body = json.loads(response.data)
    assert body["type"] == f"urn:shop:problem:{slug}", body
    return body


def test_tokens_from_identity_work_in_a_service_that_does_not_host_it(billing_service, users):
    service = billing_service
    alice, alice_key = users["alice"]
    bob, _ = users["bob"]
    _, staff_key = users["staff"]

    own = service.request("GET", "/api/v1/invoices", alice_key)
    assert own.status == 200, own.data
    assert [i["id"] for i in json.loads(own.data)["results"]] == [service.invoices[alice.id]]
    problem(
        service.request("GET", f"/api/v1/invoices/{service.invoices[bob.id]}", alice_key),
        404,
        "not-found",
    )

    product = json.dumps({"sku": "FRENCH-PRESS", "name": "Press", "price": "29.50"}).encode()
    kind = {"Content-Type": "application/json"}
    problem(
        service.request("POST", "/api/v1/products", alice_key, body=product, headers=dict(kind)),
        403,
        "forbidden",
    )
    # Staff pass the permission and reach validation (no currency): the write rule holds.
    problem(
        service.request("POST", "/api/v1/products", staff_key, body=product, headers=dict(kind)),
        400,
        "validation-error",
    )


def test_no_token_is_a_401_and_nothing_here_reaches_for_identitys_store(billing_service):
    service = billing_service
    for headers in ({}, {"Cookie": f"sessionid={'a' * 32}; csrftoken={'b' * 32}"}):
        response = service.request("GET", "/api/v1/invoices", headers=headers)
        problem(response, 401, "not-authenticated")
        assert response.headers["WWW-Authenticate"] == "Token"
    problem(service.request("GET", "/api/v1/invoices", "0" * 40), 401, "not-authenticated")
    # Sign-in and the admin are identity's: not served here, and never a 500.
    problem(service.request("POST", "/api/v1/auth/token"), 404, "not-found")
    for path in ("/admin/", "/admin/login/", "/nowhere"):
        for headers in ({}, {"Cookie": f"sessionid={'a' * 32}"}):
            assert service.request("GET", path, headers=headers).status == 404
    assert service.request("GET", "/api/v1/products").status == 200  # anonymous reads
    assert "NotHosted" not in service.log.read_text()


def test_a_token_revoked_in_identity_stops_working_here_within_the_ttl(
    billing_service, users, eventually
):
    service = billing_service
    _, key = users["alice"]
    assert service.request("GET", "/api/v1/invoices", key).status == 200

    Token.objects.filter(key=key).delete()

    # SHOP_TOKEN_INTROSPECTION_SECONDS is 1 there: the cached "yes" expires, identity says no.
    eventually(
        lambda: problem(service.request("GET", "/api/v1/invoices", key), 401, "not-authenticated"),
        timeout=15,
        interval=0.2,
    )


def test_identity_unreachable_is_a_503_and_no_request_gets_through(
    billing_service, users, eventually
):
    service = billing_service
    _, key = users["alice"]
    service.gate.open = False

    # Once the cached "yes" (1 s) is gone, identity must be asked, and cannot be.
    body = eventually(
        lambda: problem(
            service.request("GET", "/api/v1/invoices", key), 503, "identity-unavailable"
        ),
        timeout=15,
        interval=0.2,
    )
    assert "identity" in body["detail"]
    service.gate.open = True
    eventually(lambda: _ok(service.request("GET", "/api/v1/invoices", key)), timeout=15)


def _ok(response) -> None:
    assert response.status == 200, response.data


def test_one_service_keeps_token_and_session_authentication(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] == [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ]
    assert settings.SHOP_TOKEN_INTROSPECTION_SECONDS == 30


def test_a_negative_introspection_time_is_refused_in_one_line(tmp_path):
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("SHOP_")}
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={
            **inherited,
            "SHOP_DEBUG": "1",
            "SHOP_DATA_DIR": str(tmp_path),
            "SHOP_TOKEN_INTROSPECTION_SECONDS": "-1",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "shop: SHOP_TOKEN_INTROSPECTION_SECONDS must be 0 or more seconds, not -1.0"
    ]
