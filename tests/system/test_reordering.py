"""Handlers tolerate events arriving out of order: they wait for what they depend on."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from shop.billing import api as billing
from shop.catalog import api as catalog
from shop.inventory import api as inventory
from shop.ordering import api as ordering
from shop.ordering.application.place_order import PlaceOrder, place_order
from shop.platform.events import bus
from shop.platform.events.inbox import process_due
from shop.platform.events.relay import relay
from shop.platform.events.worker import drain

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.in_process,  # relays and handles events step by step in this process
]

FAST = {"backoff_base_seconds": 0.001, "backoff_max_seconds": 0.005}


@override_settings(SHOP_EVENTS=FAST)
def test_billing_seeing_stock_reserved_before_order_placed_charges_once_when_the_invoice_exists(
    eventually,
):
    catalog.add_product(
        sku="MUG", name="Mug", description="", price=Decimal("4.00"), currency="EUR"
    )
    inventory.count_stock(sku="MUG", on_hand=5)
    order = place_order(PlaceOrder(customer_id=1, lines=[("MUG", 1)], payment_token="tok_visa"))
    billing_inbox = bus.store_of("billing").inbox.objects.using("billing")
    late = timezone.now() + timedelta(days=1)

    # OrderPlaced reaches billing, but "late": only StockReserved can be handled at first.
    relay(bus.store_of("ordering"))
    billing_inbox.filter(event_type="ordering.OrderPlaced").update(next_attempt_at=late)
    drain()
    charge = billing_inbox.get(event_type="inventory.StockReserved")
    assert charge.status == "pending" and charge.attempts >= 1
    assert "no invoice for order" in charge.last_error
    assert billing.invoice_for_order(str(order.id)) is None

    billing_inbox.filter(event_type="ordering.OrderPlaced").update(next_attempt_at=timezone.now())

    def confirmed():
        drain()
        assert ordering.order_summary(str(order.id)).status == "confirmed"

    eventually(confirmed)
    assert billing.invoice_for_order(str(order.id)).status == "paid"
    captured = (
        bus.store_of("billing")
        .outbox.objects.using("billing")
        .filter(event_type="billing.PaymentCaptured")
    )
    assert captured.count() == 1


@override_settings(SHOP_EVENTS=FAST)
def test_ordering_seeing_payment_captured_before_stock_reserved_confirms_after_it(eventually):
    catalog.add_product(
        sku="MUG", name="Mug", description="", price=Decimal("4.00"), currency="EUR"
    )
    inventory.count_stock(sku="MUG", on_hand=5)
    order = place_order(PlaceOrder(customer_id=1, lines=[("MUG", 1)], payment_token="tok_visa"))
    ordering_inbox = bus.store_of("ordering").inbox.objects.using("ordering")

    relay(bus.store_of("ordering"))  # OrderPlaced -> inventory, billing
    process_due(bus.store_of("inventory"))  # reserved: StockReserved
    process_due(bus.store_of("billing"))  # invoice issued
    relay(bus.store_of("inventory"))  # StockReserved -> ordering, billing
    late = timezone.now() + timedelta(days=1)
    ordering_inbox.filter(event_type="inventory.StockReserved").update(next_attempt_at=late)
    process_due(bus.store_of("billing"))  # charged: PaymentCaptured
    while relay(bus.store_of("billing")):  # InvoiceIssued, then PaymentCaptured -> ordering,
        pass  # ahead of StockReserved
    process_due(bus.store_of("ordering"))

    assert ordering.order_summary(str(order.id)).status == "pending"
    confirm = ordering_inbox.get(event_type="billing.PaymentCaptured")
    assert confirm.status == "pending" and "not reported held yet" in confirm.last_error

    ordering_inbox.filter(event_type="inventory.StockReserved").update(
        next_attempt_at=timezone.now()
    )

    def confirmed_and_committed():
        drain()
        assert ordering.order_summary(str(order.id)).status == "confirmed"
        level = inventory.stock_level("MUG")
        assert (level.on_hand, level.reserved) == (4, 0)

    eventually(confirmed_and_committed)
