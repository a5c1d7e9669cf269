"""A process killed between commit and dispatch loses no event and applies none twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest
from django.db import connections

from shop.catalog import api as catalog
from shop.inventory import api as inventory
from shop.ordering import api as ordering
from shop.platform.events import bus
from shop.platform.events.worker import drain

SCRIPT = Path(__file__).with_name("crash_after_commit.py")


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_an_event_committed_by_a_killed_process_is_delivered_once_after_restart():
    catalog.add_product(
        sku="MUG", name="Mug", description="", price=Decimal("5.00"), currency="EUR"
    )
    inventory.count_stock(sku="MUG", on_hand=10)
    names = {alias: connections[alias].settings_dict["NAME"] for alias in connections}
    connections.close_all()  # SQLite: let the child write without waiting on our handles

    child = subprocess.run(
        [sys.executable, str(SCRIPT), "MUG"],
        env={**os.environ, "SHOP_TEST_DATABASE_NAMES": json.dumps(names)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == -9, child.stderr  # SIGKILLed right after the commit
    order_id = child.stdout.strip()
    UUID(order_id)

    outbox = bus.store_of("ordering").outbox.objects.using("ordering")
    assert list(outbox.values_list("event_type", "dispatched_at")) == [
        ("ordering.OrderPlaced", None)
    ]

    drain()  # the restarted process's worker finds the row
    drain()

    assert ordering.order_summary(order_id).status == "confirmed"
    level = inventory.stock_level("MUG")
    assert (level.on_hand, level.reserved) == (8, 0)  # reserved and committed exactly once
