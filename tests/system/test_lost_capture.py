"""A capture the books lost (the charge's transaction rolled back) is refunded on cancel."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import OperationalError

from shop.billing import api as billing
from shop.billing.application import charge_payment
from shop.billing.infrastructure.payments import provider
from shop.catalog import api as catalog
from shop.inventory import api as inventory
from shop.ordering.application.cancel_order import CancelOrder, cancel_order
from shop.ordering.application.place_order import PlaceOrder, place_order
from shop.platform.events import bus
from shop.platform.events.worker import drain

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.in_process,  # patches billing and drains the inline worker in this process
]


def test_money_captured_before_a_rollback_is_refunded_when_the_order_is_cancelled(monkeypatch):
    catalog.add_product(
        sku="MUG", name="Mug", description="", price=Decimal("5.00"), currency="EUR"
    )
    inventory.count_stock(sku="MUG", on_hand=10)
    real_publish, connection_drops = charge_payment.publish, {"yes": True}

    def publish_after_capture(event):
        if connection_drops["yes"]:  # the provider has the money; then the connection drops
            raise OperationalError("server closed the connection unexpectedly")
        return real_publish(event)

    monkeypatch.setattr(charge_payment, "publish", publish_after_capture)
    order = place_order(PlaceOrder(customer_id=7, lines=[("MUG", 2)], payment_token="tok_visa"))
    drain()
    invoice = billing.invoice_for_order(str(order.id))
    assert invoice.status == "open"  # our books know nothing of the capture...
    assert (
        provider().find_charge(idempotency_key=invoice.invoice_id).approved
    )  # ...the provider does

    connection_drops["yes"] = False
    cancel_order(CancelOrder(order_id=order.id, customer_id=7))
    drain()

    assert billing.invoice_for_order(str(order.id)).status == "refunded"
    refunds = (
        bus.store_of("billing")
        .outbox.objects.using("billing")
        .filter(event_type="billing.PaymentRefunded")
    )
    assert refunds.count() == 1
