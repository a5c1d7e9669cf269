"""A payment provider that stays down: the charge is retried within its budget, then dead.

The unavailable budget (`SHOP_EVENTS_UNAVAILABLE_SECONDS`) is a duration from the
row's first failure; the test moves that moment back instead of waiting it out.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from shop.platform.events.models import InboxStatus

from .test_order_saga import _assert, charge_row, invoice_status, place, settled

pytestmark = [
    pytest.mark.django_db(transaction=True, databases="__all__"),
    pytest.mark.in_process,  # switches the payment provider off in this process
]

DOWN = {"latency_seconds": 0, "available": False}


def test_a_provider_down_past_the_budget_parks_the_charge_dead_and_retry_confirms_the_order(
    customer, stocked, eventually
):
    mug = stocked("MUG", on_hand=4)
    with override_settings(SHOP_FAKE_PAYMENTS=DOWN):
        order_id = place(customer, [(mug, 1)])
        eventually(settled(customer, order_id, "awaiting_payment"))
        eventually(lambda: _assert("provider is unavailable" in charge_row(order_id).last_error))
        assert charge_row(order_id).status == InboxStatus.PENDING  # within its budget

        row = charge_row(order_id)
        type(row).objects.using("billing").filter(pk=row.pk).update(
            failing_since=timezone.now() - timedelta(seconds=601), next_attempt_at=timezone.now()
        )

        def dead():
            assert charge_row(order_id).status == InboxStatus.DEAD

        eventually(dead)
        assert charge_row(order_id).last_error.startswith(
            "parked dead, the unavailable budget ran out (SHOP_EVENTS_UNAVAILABLE_SECONDS=600)"
        )
        # Nothing was declined: the order waits for an operator (or the payment deadline).
        assert settled(customer, order_id, "awaiting_payment")()
        assert invoice_status(customer, order_id) == "open"

    # The provider is back; an operator retries the dead row and the order is paid.
    call_command("events", "retry", "--dead", stdout=StringIO())
    eventually(settled(customer, order_id, "confirmed"), timeout=30)
    assert invoice_status(customer, order_id) == "paid"
