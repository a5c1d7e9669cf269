"""POST /api/v1/auth/token and the `Authorization: Token <token>` scheme."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db(databases="__all__")

URL = "/api/v1/auth/token"


def test_good_credentials_return_a_token(anon, alice):
    response = anon.post(URL, {"username": "alice", "password": "alice-pass-1"}, format="json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"token"}
    assert isinstance(body["token"], str) and len(body["token"]) >= 20


def test_asking_twice_returns_the_same_token(anon, alice):
    first = anon.post(URL, {"username": "alice", "password": "alice-pass-1"}, format="json")
    second = anon.post(URL, {"username": "alice", "password": "alice-pass-1"}, format="json")

    assert first.json()["token"] == second.json()["token"]


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "alice", "password": "wrong"},
        {"username": "nobody", "password": "alice-pass-1"},
        {"username": "alice", "password": "ALICE-PASS-1"},
    ],
    ids=["wrong-password", "unknown-user", "password-case-matters"],
)
def test_bad_credentials_are_a_401_problem_with_a_challenge(
    anon, alice, credentials, problem, nothing_written
):
    with nothing_written():
        response = anon.post(URL, credentials, format="json")

    problem(response, 401, "invalid-credentials")
    assert response["WWW-Authenticate"].startswith("Token")


def test_a_disabled_account_gets_no_token(anon, problem, nothing_written):
    get_user_model().objects.create_user(username="carol", password="carol-pass", is_active=False)

    with nothing_written():
        response = anon.post(URL, {"username": "carol", "password": "carol-pass"}, format="json")

    problem(response, 401, "invalid-credentials")


@pytest.mark.parametrize(
    ("credentials", "pointers"),
    [
        ({}, ["#/password", "#/username"]),
        ({"username": "alice"}, ["#/password"]),
        ({"password": "alice-pass-1"}, ["#/username"]),
        ({"username": "", "password": ""}, ["#/password", "#/username"]),
        ({"username": ["alice"], "password": "alice-pass-1"}, ["#/username"]),
        ({"username": "ali\u0000ce", "password": "alice-pass-1"}, ["#/username"]),
        ({"username": "alice", "password": "x" * 129}, ["#/password"]),
    ],
    ids=["empty", "no-password", "no-username", "blank", "username-not-a-string", "nul", "long"],
)
def test_missing_or_malformed_fields_are_a_400_with_pointers(
    anon, alice, credentials, pointers, problem, nothing_written
):
    with nothing_written():
        response = anon.post(URL, credentials, format="json")

    problem(response, 400, "validation-error", pointers)


def test_malformed_json_is_a_400_problem(anon, alice, problem, nothing_written):
    with nothing_written():
        response = anon.post(URL, '{"username": "alice",', content_type="application/json")

    problem(response, 400, "malformed-request")


def test_a_form_encoded_body_is_a_415_problem(anon, alice, problem, nothing_written):
    with nothing_written():
        response = anon.post(URL, {"username": "alice", "password": "alice-pass-1"})

    problem(response, 415, "unsupported-media-type")


def test_the_token_authenticates_later_requests(anon, alice):
    token = anon.post(URL, {"username": "alice", "password": "alice-pass-1"}, format="json").json()[
        "token"
    ]

    response = anon.get("/api/v1/orders", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert response.json() == {"results": [], "next": None}


@pytest.mark.parametrize(
    "header",
    ["Token not-a-real-token", "Token ", "Token two words"],
    ids=["unknown-token", "empty-token", "token-with-spaces"],
)
def test_a_bogus_token_is_a_401_even_on_public_endpoints(anon, products, header, problem):
    for url in ("/api/v1/orders", "/api/v1/products"):
        response = anon.get(url, HTTP_AUTHORIZATION=header)

        problem(response, 401, "not-authenticated")
        assert response["WWW-Authenticate"].startswith("Token")


def test_a_token_of_a_disabled_account_stops_working(alice_client, alice, problem):
    alice.is_active = False
    alice.save()

    problem(alice_client.get("/api/v1/orders"), 401, "not-authenticated")


def test_no_credentials_on_a_private_endpoint_is_a_401_with_a_challenge(anon, problem):
    response = anon.get("/api/v1/orders")

    problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Token")
