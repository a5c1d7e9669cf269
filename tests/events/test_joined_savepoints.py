"""A run of handlers makes one savepoint, not one per use case, and stays exactly-once when a
handler catches an error raised inside a block that joined it (running.joined)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connections, transaction

from shop.inventory.infrastructure.models import StockItemRecord
from shop.platform.events import bus
from shop.platform.events.inbox import process_due
from shop.platform.events.models import InboxStatus
from shop.platform.events.worker import drain

from .conftest import bump, count

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def inventory():
    return bus.store_of("inventory")


def deliver(emit, n: int) -> None:
    """n probe events in inventory's inbox, pending; nothing handled yet."""
    from shop.platform.events import relay

    for i in range(n):
        emit(key=f"K-{i}")
    relay.relay(bus.store_of("catalog"))


def _duplicate(sku: str) -> None:
    """A use case whose write fails: its own atomic block, an IntegrityError inside."""
    with transaction.atomic(using="inventory"):
        StockItemRecord.objects.using("inventory").create(sku=sku, on_hand=1)


def test_a_run_of_use_cases_makes_one_savepoint(subscriptions, emit):
    def when_catalog_probe_happened_bump(event):
        with transaction.atomic(using="inventory"):  # as every use case opens its own
            bump("APPLIED")

    subscriptions(when_catalog_probe_happened_bump)
    deliver(emit, 3)
    sent = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connections["inventory"].execute_wrapper(record):
        assert process_due(inventory()) == 3
    assert count("APPLIED") == 3
    assert [sql for sql in sent if sql.upper().startswith("SAVEPOINT")] != []
    assert len([sql for sql in sent if sql.upper().startswith("SAVEPOINT")]) == 1  # the run's


def test_a_handler_that_catches_a_failed_block_and_carries_on_is_applied_once(subscriptions, emit):
    def when_catalog_probe_happened_bump_after_a_failed_write(event):
        bump("TAKEN")
        try:
            _duplicate("TAKEN")  # fails: the row exists
        except IntegrityError:
            pass  # and carries on, as it could with a savepoint of its own
        bump(f"APPLIED-{event.key}")

    def when_catalog_probe_happened_bump(event):
        bump("OTHER")

    subscriptions(when_catalog_probe_happened_bump_after_a_failed_write)
    subscriptions(when_catalog_probe_happened_bump)
    deliver(emit, 2)
    drain()
    assert (count("APPLIED-K-0"), count("APPLIED-K-1"), count("OTHER")) == (1, 1, 2)
    assert count("TAKEN") == 2
    rows = inventory().inbox.objects.using("inventory")
    assert set(rows.values_list("status", flat=True)) == {InboxStatus.DONE}


def test_a_handler_that_catches_a_failed_block_and_returns_loses_no_write(subscriptions, emit):
    """The run's savepoint cannot be kept once a joined block failed: found before the run
    commits, so the handler's earlier write is not rolled back silently under a `done` row."""

    def when_catalog_probe_happened_write_then_fail_quietly(event):
        bump(f"APPLIED-{event.key}")
        try:
            _duplicate(f"APPLIED-{event.key}")
        except IntegrityError:
            return

    subscriptions(when_catalog_probe_happened_write_then_fail_quietly)
    deliver(emit, 1)  # the last handler of its run: no later query trips over the damage
    drain()
    assert count("APPLIED-K-0") == 1
    rows = inventory().inbox.objects.using("inventory")
    assert set(rows.values_list("status", flat=True)) == {InboxStatus.DONE}
