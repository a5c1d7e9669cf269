"""Opening and dispatching a shipment: each change with its event, in one transaction."""

from __future__ import annotations

import pytest

from shop.shipping.application.dispatch_shipment import (
    DispatchShipment,
    ShipmentNotFound,
    dispatch_shipment,
)
from shop.shipping.application.open_shipment import OpenShipment, open_shipment
from shop.shipping.domain.shipment import ShipmentError
from shop.shipping.infrastructure import DATABASE
from shop.shipping.infrastructure.messaging import OutboxMessage
from shop.shipping.infrastructure.repository import rows

pytestmark = pytest.mark.django_db(databases=[DATABASE])


def outbox() -> list[str]:
    return list(
        OutboxMessage.objects.using(DATABASE)
        .order_by("created_at")
        .values_list("event_type", flat=True)
    )


def test_opening_stores_the_shipment_and_its_event():
    shipment = open_shipment(OpenShipment(order_id="order-1", customer_id=7))

    assert rows().get().order_id == "order-1"
    (message,) = OutboxMessage.objects.using(DATABASE).all()
    assert message.event_type == "shipping.ShipmentOpened"
    assert message.subject == str(shipment.id)


def test_opening_twice_for_one_order_keeps_the_first():
    first = open_shipment(OpenShipment(order_id="order-1", customer_id=7))
    again = open_shipment(OpenShipment(order_id="order-1", customer_id=7))

    assert again.id == first.id
    assert rows().count() == 1
    assert outbox() == ["shipping.ShipmentOpened"]


def test_dispatching_stores_the_status_and_publishes_the_integration_event():
    shipment = open_shipment(OpenShipment(order_id="order-1", customer_id=7))

    dispatched = dispatch_shipment(DispatchShipment(order_id="order-1"))

    row = rows().get()
    assert (row.status, row.dispatched_at) == ("dispatched", dispatched.dispatched_at)
    message = OutboxMessage.objects.using(DATABASE).get(event_type="shipping.ShipmentDispatched")
    assert message.subject == str(shipment.id)
    assert message.envelope["data"] == {
        "shipment_id": str(shipment.id),
        "order_id": "order-1",
        "dispatched_at": dispatched.dispatched_at.isoformat(),
    }


def test_a_refused_dispatch_changes_nothing_and_publishes_nothing():
    open_shipment(OpenShipment(order_id="order-1", customer_id=7))
    dispatch_shipment(DispatchShipment(order_id="order-1"))

    with pytest.raises(ShipmentError, match="cannot become dispatched"):
        dispatch_shipment(DispatchShipment(order_id="order-1"))

    assert outbox() == ["shipping.ShipmentOpened", "shipping.ShipmentDispatched"]


def test_an_order_without_a_shipment_cannot_be_dispatched():
    with pytest.raises(ShipmentNotFound, match="order-9 has no shipment"):
        dispatch_shipment(DispatchShipment(order_id="order-9"))
