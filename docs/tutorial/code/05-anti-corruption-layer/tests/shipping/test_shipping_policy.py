"""When ordering confirms an order, shipping opens its shipment, for the customer ordering
names. Ordering is stood in for by answers in the shape its api promises (OrderSummary)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop.kernel import Money
from shop.ordering import api as ordering
from shop.ordering.events import OrderConfirmed
from shop.platform.events import RetryLater
from shop.shipping.domain.shipment import ShipmentStatus
from shop.shipping.infrastructure import DATABASE
from shop.shipping.infrastructure.repository import for_order
from shop.shipping.subscribers import when_ordering_order_confirmed_open_shipment

pytestmark = pytest.mark.django_db(databases=[DATABASE])

ORDER = "0b6a4c3e-2f59-4a3e-9f0e-6b8f2f1d8a11"


@pytest.fixture
def ordering_knows(monkeypatch) -> dict[str, ordering.OrderSummary]:
    """What ordering answers, by order id; an order it does not know is None."""
    known: dict[str, ordering.OrderSummary] = {}
    monkeypatch.setattr(ordering, "order_summary", known.get)
    return known


def summary(status: str, customer_id: int = 42) -> ordering.OrderSummary:
    total = Money(Decimal("12.50"), "EUR")
    return ordering.OrderSummary(ORDER, customer_id=customer_id, status=status, total=total)


def test_a_confirmed_order_gets_a_pending_shipment_for_its_customer(ordering_knows):
    ordering_knows[ORDER] = summary("confirmed", customer_id=42)

    when_ordering_order_confirmed_open_shipment(OrderConfirmed(order_id=ORDER))

    shipment = for_order(ORDER)
    assert shipment is not None
    assert (shipment.customer_id, shipment.status) == (42, ShipmentStatus.PENDING)


def test_an_order_ordering_does_not_know_yet_is_tried_again_later(ordering_knows):
    with pytest.raises(RetryLater, match=f"ordering does not know order {ORDER}"):
        when_ordering_order_confirmed_open_shipment(OrderConfirmed(order_id=ORDER))

    assert for_order(ORDER) is None


def test_an_order_cancelled_since_it_was_confirmed_gets_no_shipment(ordering_knows):
    ordering_knows[ORDER] = summary("cancelled")

    when_ordering_order_confirmed_open_shipment(OrderConfirmed(order_id=ORDER))

    assert for_order(ORDER) is None
