"""Shipment's rules, in plain Python: no database, no Django."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.shipping.domain.shipment import (
    Delivered,
    Dispatched,
    Shipment,
    ShipmentError,
    ShipmentStatus,
)

OPENED_AT = datetime(2026, 1, 1, tzinfo=UTC)
# The only moves there are, written out here rather than read from the code under test.
LEGAL = {("pending", "dispatch"): "dispatched", ("dispatched", "deliver"): "delivered"}


def opened(order_id: str = "order-1") -> Shipment:
    return Shipment.open(id=uuid4(), order_id=order_id, customer_id=7, opened_at=OPENED_AT)


def test_a_new_shipment_is_pending():
    shipment = opened()

    assert shipment.status is ShipmentStatus.PENDING
    assert (shipment.dispatched_at, shipment.delivered_at) == (None, None)


@given(st.text().filter(lambda text: not text.strip()))
def test_a_shipment_belongs_to_an_order(blank):
    with pytest.raises(ShipmentError, match="order_id"):
        opened(order_id=blank)


def test_a_shipment_is_dispatched_then_delivered_and_says_so():
    shipment = opened()
    left, arrived = OPENED_AT + timedelta(hours=2), OPENED_AT + timedelta(days=1)

    dispatched, fact = shipment.dispatch(at=left)
    delivered, last_fact = dispatched.deliver(at=arrived)

    assert fact == Dispatched(shipment_id=shipment.id, order_id="order-1", at=left)
    assert last_fact == Delivered(shipment_id=shipment.id, order_id="order-1", at=arrived)
    assert (delivered.status, delivered.dispatched_at, delivered.delivered_at) == (
        ShipmentStatus.DELIVERED,
        left,
        arrived,
    )
    assert shipment.status is ShipmentStatus.PENDING  # a frozen value: the old one is as it was


def test_a_pending_shipment_cannot_be_delivered():
    with pytest.raises(ShipmentError, match="is pending: it cannot become delivered"):
        opened().deliver(at=OPENED_AT)


def test_a_shipment_is_dispatched_once():
    dispatched, _ = opened().dispatch(at=OPENED_AT)

    with pytest.raises(ShipmentError, match="is dispatched: it cannot become dispatched"):
        dispatched.dispatch(at=OPENED_AT)


@given(st.lists(st.sampled_from(["dispatch", "deliver"]), max_size=6))
def test_the_status_never_takes_an_illegal_step(moves):
    shipment = opened()
    for move in moves:
        wanted = LEGAL.get((shipment.status.value, move))
        if wanted is None:
            with pytest.raises(ShipmentError, match="cannot become"):
                getattr(shipment, move)(at=OPENED_AT)
        else:
            shipment, _ = getattr(shipment, move)(at=OPENED_AT)
            assert shipment.status == wanted
