"""Idempotency-Key on POST /api/v1/orders: a retry returns the first response, once."""

import pytest

from shop.ordering.infrastructure.models import OrderRecord

pytestmark = pytest.mark.django_db(databases="__all__")

ORDER = {"lines": [{"sku": "MUG-CLASSIC", "quantity": 2}], "payment_token": "tok_visa"}
OTHER_ORDER = {"lines": [{"sku": "MUG-CLASSIC", "quantity": 3}], "payment_token": "tok_visa"}


def _post(client, body, key):
    return client.post("/api/v1/orders", body, format="json", headers={"Idempotency-Key": key})


def test_a_replay_returns_the_first_response_and_places_one_order(alice_client, products):
    first = _post(alice_client, ORDER, "order-1")
    replay = _post(alice_client, ORDER, "order-1")

    assert first.status_code == replay.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert replay["Location"] == first["Location"]
    assert OrderRecord.objects.count() == 1


def test_a_replay_matches_the_same_json_written_differently(alice_client, products):
    first = _post(alice_client, ORDER, "order-1")
    reordered = '{"payment_token": "tok_visa",  "lines": [{"quantity": 2, "sku": "MUG-CLASSIC"}]}'

    replay = alice_client.post(
        "/api/v1/orders",
        reordered,
        content_type="application/json",
        headers={"Idempotency-Key": "order-1"},
    )

    assert replay.status_code == 201
    assert replay.json()["id"] == first.json()["id"]
    assert OrderRecord.objects.count() == 1


def test_a_replay_returns_the_first_response_even_after_the_order_changed(alice_client, products):
    first = _post(alice_client, ORDER, "order-1").json()
    alice_client.post(f"/api/v1/orders/{first['id']}/cancel")

    replay = _post(alice_client, ORDER, "order-1")

    assert replay.json() == first
    assert replay.json()["status"] == "pending"


def test_the_same_key_with_a_different_body_is_a_422(
    alice_client, products, problem, nothing_written
):
    _post(alice_client, ORDER, "order-1")

    with nothing_written():
        response = _post(alice_client, OTHER_ORDER, "order-1")

    problem(response, 422, "idempotency-key-reused")


def test_different_customers_use_the_same_key_independently(alice_client, bob_client, products):
    alices = _post(alice_client, ORDER, "shared-key")
    bobs = _post(bob_client, ORDER, "shared-key")

    assert alices.status_code == bobs.status_code == 201
    assert "Idempotent-Replayed" not in bobs
    assert alices.json()["id"] != bobs.json()["id"]
    assert OrderRecord.objects.count() == 2
    assert [o["id"] for o in bob_client.get("/api/v1/orders").json()["results"]] == [
        bobs.json()["id"]
    ]


def test_different_keys_place_different_orders(alice_client, products):
    first = _post(alice_client, ORDER, "order-1")
    second = _post(alice_client, ORDER, "order-2")

    assert first.json()["id"] != second.json()["id"]
    assert OrderRecord.objects.count() == 2


@pytest.mark.parametrize(
    "key", ["k" * 256, "", "tab\there"], ids=["too-long", "empty", "not-printable"]
)
def test_an_unusable_key_is_a_400(alice_client, products, key, problem, nothing_written):
    with nothing_written():
        response = _post(alice_client, ORDER, key)

    problem(response, 400, "invalid-idempotency-key")


def test_the_longest_allowed_key_works(alice_client, products):
    assert _post(alice_client, ORDER, "k" * 255).status_code == 201


def test_a_rejected_order_does_not_use_up_its_key(alice_client, products, problem):
    unknown = {"lines": [{"sku": "NO-SUCH", "quantity": 1}], "payment_token": "tok_visa"}
    problem(_post(alice_client, unknown, "order-1"), 422, "unknown-product")

    retried = _post(alice_client, ORDER, "order-1")

    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert OrderRecord.objects.count() == 1
