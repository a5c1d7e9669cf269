"""What other contexts and customers see of shipping: its api and GET /api/v1/shipments."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from shop.shipping import api
from shop.shipping.application.dispatch_shipment import DispatchShipment, dispatch_shipment
from shop.shipping.application.open_shipment import OpenShipment, open_shipment

pytestmark = pytest.mark.django_db(databases="__all__")

ORDER = "0b6a4c3e-2f59-4a3e-9f0e-6b8f2f1d8a11"


def client_of(username: str) -> tuple[APIClient, int]:
    user = get_user_model().objects.create_user(username=username)
    client = APIClient()
    client.force_authenticate(user)
    return client, user.id


def test_the_api_answers_a_frozen_view_and_none_for_an_order_without_one():
    opened = open_shipment(OpenShipment(order_id=ORDER, customer_id=7))

    assert api.shipment_for_order(ORDER) == api.ShipmentView(
        id=str(opened.id), order_id=ORDER, status="pending", dispatched_at=None
    )
    assert api.shipment_for_order("no-such-order") is None


def test_a_dispatched_shipment_says_when_it_left_in_the_api_and_over_http():
    alice, alice_id = client_of("alice")
    open_shipment(OpenShipment(order_id=ORDER, customer_id=alice_id))
    dispatched = dispatch_shipment(DispatchShipment(order_id=ORDER))

    view = api.shipment_for_order(ORDER)
    (row,) = alice.get(f"/api/v1/shipments?order={ORDER}").json()["results"]

    assert view is not None
    assert (view.status, view.dispatched_at) == ("dispatched", dispatched.dispatched_at)
    assert (row["status"], row["delivered_at"]) == ("dispatched", None)
    assert row["dispatched_at"] is not None


def test_a_customer_sees_their_own_shipments_only():
    alice, alice_id = client_of("alice")
    bob, _ = client_of("bob")
    open_shipment(OpenShipment(order_id=ORDER, customer_id=alice_id))

    mine = alice.get(f"/api/v1/shipments?order={ORDER}")
    theirs = bob.get(f"/api/v1/shipments?order={ORDER}")
    all_of_bobs = bob.get("/api/v1/shipments")

    assert mine.status_code == 200, mine.content
    assert [row["order_id"] for row in mine.json()["results"]] == [ORDER]
    assert theirs.json()["results"] == []
    assert all_of_bobs.json()["results"] == []


def test_a_malformed_order_id_is_a_400_problem():
    alice, _ = client_of("alice")

    answer = alice.get("/api/v1/shipments?order=not-a-uuid")

    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
