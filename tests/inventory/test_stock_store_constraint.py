"""The inventory store itself refuses stock that is reserved beyond what is on hand.

The domain already refuses it; the CHECK constraint catches any writer that bypasses
the domain (an admin action, a data fix, a bug), on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from shop.inventory.infrastructure import DATABASE
from shop.inventory.infrastructure.models import StockItemRecord

pytestmark = pytest.mark.django_db(databases=[DATABASE])


def stock_of(sku: str) -> tuple[int, int]:
    row = StockItemRecord.objects.using(DATABASE).get(sku=sku)
    return row.on_hand, row.reserved


def test_the_store_refuses_a_new_row_reserving_more_than_is_on_hand():
    with pytest.raises(IntegrityError), transaction.atomic(using=DATABASE):
        StockItemRecord.objects.using(DATABASE).create(sku="MUG-1", on_hand=2, reserved=3)
    assert not StockItemRecord.objects.using(DATABASE).filter(sku="MUG-1").exists()


def test_the_store_refuses_an_update_reserving_more_than_is_on_hand():
    StockItemRecord.objects.using(DATABASE).create(sku="MUG-1", on_hand=5, reserved=5)
    with pytest.raises(IntegrityError), transaction.atomic(using=DATABASE):
        StockItemRecord.objects.using(DATABASE).filter(sku="MUG-1").update(
            reserved=F("reserved") + 1
        )
    assert stock_of("MUG-1") == (5, 5)


def test_the_store_refuses_a_save_that_drops_on_hand_below_reserved():
    row = StockItemRecord.objects.using(DATABASE).create(sku="MUG-1", on_hand=5, reserved=4)
    row.on_hand = 3
    with pytest.raises(IntegrityError), transaction.atomic(using=DATABASE):
        row.save(using=DATABASE)
    assert stock_of("MUG-1") == (5, 4)


def test_the_store_refuses_negative_counts():
    with pytest.raises(IntegrityError), transaction.atomic(using=DATABASE):
        StockItemRecord.objects.using(DATABASE).create(sku="MUG-1", on_hand=-1, reserved=-2)


def test_the_store_accepts_stock_that_is_exactly_fully_reserved():
    StockItemRecord.objects.using(DATABASE).create(sku="MUG-1", on_hand=3, reserved=3)
    assert stock_of("MUG-1") == (3, 3)
