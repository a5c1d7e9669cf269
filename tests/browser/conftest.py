"""The operator console in a real browser: Playwright driving Debian's Chromium.

Chromium comes from the distribution (`scripts/install-chromium`), never from Playwright's
download: it is launched by `executable_path`. Without it (or without Playwright) these
tests skip, unless SHOP_TEST_REQUIRE_BROWSER=1 (CI sets it in .ci/run): then they fail.

One browser for the session; each test gets a fresh browser context (no cookies) and
page. The shop under test is pytest-django's live server in this process, with the inline
transport's worker thread carrying the saga's events, over plain HTTP as `make run-prod`
serves it on a machine of one's own (no Secure cookies).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# In CI (.ci/run sets it) a missing browser fails these tests instead of skipping them.
REQUIRE_BROWSER = os.environ.get("SHOP_TEST_REQUIRE_BROWSER") == "1"
INSTALL_HINT = "scripts/install-chromium installs it from Debian's packages"
PASSWORD = "browser-test-password"  # noqa: S105 - a throwaway user of a throwaway database
# Playwright's own browsers are never used (nor downloaded).
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def chromium_binary() -> str | None:
    """SHOP_TEST_CHROMIUM, else Debian's chromium on the PATH (or where Debian puts it)."""
    named = os.environ.get("SHOP_TEST_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def _missing(what: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"{what} is required (SHOP_TEST_REQUIRE_BROWSER=1) but missing: {INSTALL_HINT}")
    pytest.skip(f"needs {what}: {INSTALL_HINT}")


@pytest.fixture
def browser() -> Iterator[Any]:
    """Chromium for one test, stopped before the test's database is flushed.

    Playwright's synchronous API runs an event loop in this thread while it is started, so
    Django refuses the test's own ORM calls unless DJANGO_ALLOW_ASYNC_UNSAFE is set; they
    are synchronous and safe here. It is set for the browser's lifetime only: left set, it
    would reach later tests' subprocesses (`check --deploy` refuses it).
    """
    binary = chromium_binary()
    if binary is None:
        _missing("Chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright (requirements/dev.txt)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            # As root (CI's container) Chromium refuses to start with its sandbox.
            args = ["--no-sandbox"] if os.geteuid() == 0 else []
            launched = playwright.chromium.launch(executable_path=binary, args=args)
            yield launched
            launched.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()


@dataclass
class Api:
    """Token-authenticated JSON calls to the live server, as a customer or staff makes them."""

    base: str
    token: str

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the live server's own http:// URL
            self.base + path,
            data,
            {"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


@dataclass
class Shop:
    url: str
    staff: Api
    customer: Api
    staff_username: str

    def stocked(self, on_hand: int = 5, price: str = "12.50") -> str:
        """A new product with `on_hand` units in stock, through the API; its SKU."""
        import time

        sku = f"MUG-{uuid.uuid4().hex[:8].upper()}"
        status, body = self.staff.call(
            "POST",
            "/api/v1/products",
            {"sku": sku, "name": sku.title(), "price": price, "currency": "EUR"},
        )
        assert status == 201, body
        deadline = time.monotonic() + 15  # inventory learns of it from catalog's event
        while (counted := self.staff.call("PUT", f"/api/v1/stock/{sku}", {"on_hand": on_hand}))[
            0
        ] == 404:
            assert time.monotonic() < deadline, counted
            time.sleep(0.05)
        assert counted[0] == 200, counted
        return sku

    def place(self, sku: str, quantity: int, token: str) -> str:
        status, body = self.customer.call(
            "POST",
            "/api/v1/orders",
            {"lines": [{"sku": sku, "quantity": quantity}], "payment_token": token},
        )
        assert status == 201, body
        return body["id"]

    def order(self, order_id: str) -> dict:
        status, body = self.customer.call("GET", f"/api/v1/orders/{order_id}")
        assert status == 200, body
        return body


@pytest.fixture
def shop(live_server, event_worker, settings) -> Shop:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False  # plain HTTP
    users = get_user_model()
    staff = users.objects.create_superuser("operator", password=PASSWORD)
    customer = users.objects.create_user("alice", password=PASSWORD)
    return Shop(
        url=live_server.url,
        staff=Api(live_server.url, Token.objects.create(user=staff).key),
        customer=Api(live_server.url, Token.objects.create(user=customer).key),
        staff_username=staff.username,
    )


def sign_in(page, shop: Shop, username: str) -> None:
    """Through the admin's own sign-in form."""
    page.goto(f"{shop.url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
