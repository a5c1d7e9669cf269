"""Production's HTTPS protections and the Content Security Policy (settings/security.py).

The suite runs with SHOP_DEBUG off, so these are production's settings; only the redirect
to HTTPS is switched off for the plain-HTTP test client (tests/conftest.py) and back on
here where it is the subject.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parents[2]


def check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check --deploy --fail-level WARNING` with a production environment."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("SHOP_")}
    production = {
        "SHOP_DEBUG": "0",
        "SHOP_SECRET_KEY": secrets.token_urlsafe(50),
        "SHOP_ALLOWED_HOSTS": "shop.example.com",
        "SHOP_DATA_DIR": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**inherited, **production, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_checks_and_plain_http_does_not(tmp_path):
    passed = check_deploy(tmp_path)
    assert passed.returncode == 0, passed.stderr
    assert "no issues" in passed.stdout

    # SHOP_HTTPS=0 (what `make run-prod` sets) is not a deployment: the check says why.
    plain = check_deploy(tmp_path, SHOP_HTTPS="0")
    assert plain.returncode == 1
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in plain.stderr


def policy(response) -> dict[str, list[str]]:
    directives = (d.split() for d in response["Content-Security-Policy"].split(";"))
    return {d[0]: d[1:] for d in directives if d}


@pytest.mark.django_db
def test_every_response_carries_the_policy_and_a_secure_one_hsts():
    response = Client().get("/healthz", secure=True)

    assert policy(response) == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db(databases="__all__")
@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_except_probes_and_what_the_proxy_says_is_https():
    client = Client()

    response = client.get("/api/v1/products?limit=2")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/api/v1/products?limit=2"

    assert client.get("/healthz").status_code == 200  # probes speak plain HTTP
    assert client.get("/metrics").status_code == 200
    # TLS ended at the proxy, which says so: no redirect loop.
    response = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


class Page(HTMLParser):
    """What a page asks the browser to load or run."""

    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts: list[str] = []
        self.inline_style_attributes: list[str] = []
        self.style_blocks = 0
        self.urls: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("style"):
            self.inline_style_attributes.append(tag)
        if any(name.startswith("on") for name in attributes):
            self.inline_scripts.append(f"<{tag} on...> handler")
        if tag == "script":
            if attributes.get("src"):
                self.urls.append(attributes["src"])
            elif attributes.get("type") != "application/json":  # data, never run
                self._in_inline_script = True
        if tag == "style":
            self.style_blocks += 1
        if tag == "link" and attributes.get("href"):
            self.urls.append(attributes["href"])
        if tag == "img" and attributes.get("src"):
            self.urls.append(attributes["src"])

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.inline_scripts.append(data.strip()[:60])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def parse(response) -> Page:
    page = Page()
    page.feed(response.content.decode())
    return page


def assert_same_origin_and_served(client: Client, urls: list[str]) -> None:
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_swagger_ui_runs_under_the_policy_with_inline_styles_on_its_page_alone():
    client = Client()
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = parse(response)
    assert page.inline_scripts == []  # script-src 'self' would block them
    assert policy(response)["script-src"] == ["'self'"]
    assert policy(response)["style-src"] == ["'self'", "'unsafe-inline'"]  # its <style> block
    assert page.style_blocks == 1
    scripts = [url for url in page.urls if "script" in url.split("?")[-1]]
    assert len(scripts) == 1  # the start-up script, from the page's own URL
    started = client.get(scripts[0])
    assert started["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in started.content
    assert b'url: "/api/schema/"' in started.content
    assert_same_origin_and_served(client, page.urls)


@pytest.mark.django_db(databases="__all__")
def test_the_admin_runs_under_the_policy_unchanged():
    get_user_model().objects.create_superuser("root", password="root-pass-1")
    signed_in = Client()
    signed_in.login(username="root", password="root-pass-1")
    pages = {
        "/admin/login/": Client(),
        "/admin/": signed_in,
        "/admin/billing/inboxmessage/": signed_in,
        "/admin/auth/user/add/": signed_in,
    }
    for path, client in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        page = parse(response)
        assert page.inline_scripts == [], path
        assert page.inline_style_attributes == [], path
        assert page.style_blocks == 0, path
        assert policy(response)["style-src"] == ["'self'"], path
        assert_same_origin_and_served(client, [re.sub(r"\?.*", "", u) for u in page.urls])
