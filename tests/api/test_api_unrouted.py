"""Every path under /api/ answers problem+json, never Django's HTML pages.

A POST to an unrouted API path used to meet Django's CSRF middleware before anything
said "not found": the client got the HTML "CSRF verification failed" page. The test
clients here enforce CSRF, as a browser-less client meets it in production.
"""

import json

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from shop.platform.http.problems import csrf_failure_view

pytestmark = pytest.mark.django_db(databases="__all__")

UNROUTED = [
    "/api/v1/nope",
    "/api/v1/orders/abc/cancel",
    "/api/v1/orders/abc",
    "/api/v1/products/MUG-CLASSIC/extra",
    "/api/v1/",
    "/api/nope",
    "/api/v2/orders",
]
METHODS = ["get", "post", "put", "patch", "delete"]


def _enforcing_csrf(client: APIClient) -> APIClient:
    client.handler.enforce_csrf_checks = True
    return client


@pytest.mark.parametrize("url", UNROUTED)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("with_token", [True, False], ids=["token", "anonymous"])
def test_an_unrouted_api_path_is_a_404_problem_for_every_method(
    alice_client, anon, url, method, with_token, problem
):
    client = _enforcing_csrf(alice_client if with_token else anon)

    response = getattr(client, method)(url, {"x": 1}, format="json")

    problem(response, 404, "not-found")


@pytest.mark.parametrize("url", ["/api/nope", "/api/v1/nope", "/api/v1/orders/abc/cancel"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unrouted_api_path_is_a_404_problem_with_debug_on(settings, anon, url, method, problem):
    settings.DEBUG = True

    problem(getattr(_enforcing_csrf(anon), method)(url, {}, format="json"), 404, "not-found")


def test_a_session_client_without_a_csrf_token_gets_a_403_problem(alice, problem):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post("/api/v1/orders", {"lines": [], "payment_token": "tok"}, format="json")

    body = problem(response, 403, "forbidden")
    assert "CSRF" in body["detail"]


def test_the_csrf_failure_view_speaks_problem_json_under_api_only():
    api = csrf_failure_view(RequestFactory().post("/api/v1/orders"), reason="CSRF cookie not set.")
    admin = csrf_failure_view(RequestFactory().post("/admin/login/"), reason="CSRF cookie not set.")

    assert api.status_code == 403
    assert api["Content-Type"] == "application/problem+json"
    body = json.loads(api.content)
    assert body["type"] == "urn:shop:problem:forbidden"
    assert "CSRF cookie not set" in body["detail"]
    assert admin.status_code == 403
    assert admin["Content-Type"].startswith("text/html")
