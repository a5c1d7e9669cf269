"""Property: whatever customers do, money and stock are conserved across the saga.

For any mix of orders (approved or declined cards, too much quantity, cancelled
before or after payment), once the events settle: every confirmed order's
invoice is paid, every cancelled order's invoice is void or refunded, the money
kept equals the totals of the confirmed orders, and the stock that left equals
what those orders bought.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shop.billing import api as billing
from shop.catalog import api as catalog
from shop.inventory import api as inventory
from shop.ordering import api as ordering
from shop.ordering.application.cancel_order import CancelOrder, cancel_order
from shop.ordering.application.place_order import PlaceOrder, place_order
from shop.ordering.domain.order import IllegalTransition
from shop.platform.events.worker import drain

pytestmark = [
    pytest.mark.django_db(databases="__all__"),
    pytest.mark.in_process,  # drives the use cases and drains the inline worker in this process
]

ON_HAND = 6
PRICE = Decimal("2.50")

orders = st.lists(
    st.tuples(
        st.integers(1, 4),  # quantity
        st.sampled_from(["tok_visa", "tok_declined"]),
        st.sampled_from(["keep", "cancel_now", "cancel_later"]),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plan=orders)
@override_settings(SHOP_EVENTS={"backoff_base_seconds": 0.0, "backoff_max_seconds": 0.0})
def test_money_and_stock_are_conserved_across_the_saga(plan):
    sku = f"P-{uuid.uuid4().hex[:10].upper()}"
    catalog.add_product(sku=sku, name="Probe", description="", price=PRICE, currency="EUR")
    inventory.count_stock(sku=sku, on_hand=ON_HAND)

    placed = []
    for quantity, token, when in plan:
        order = place_order(PlaceOrder(customer_id=1, lines=[(sku, quantity)], payment_token=token))
        placed.append((str(order.id), quantity, when))
        if when == "cancel_now":
            cancel_order(CancelOrder(order_id=order.id))
    drain()
    for order_id, _, when in placed:
        if when == "cancel_later":
            try:
                cancel_order(CancelOrder(order_id=uuid.UUID(order_id)))
            except IllegalTransition:
                pass  # already cancelled by the saga
    drain()

    kept, sold = Decimal(0), 0
    for order_id, quantity, _ in placed:
        status = ordering.order_summary(order_id).status
        invoice = billing.invoice_for_order(order_id)
        assert status in ("confirmed", "cancelled"), f"{order_id} stuck in {status}"
        if status == "confirmed":
            assert invoice.status == "paid"
            kept += invoice.amount.amount
            sold += quantity
        else:
            assert invoice.status in ("void", "refunded")
    assert kept == PRICE * sold
    level = inventory.stock_level(sku)
    assert (level.on_hand, level.reserved) == (ON_HAND - sold, 0)
