"""The outbox/inbox guarantees: nothing lost, nothing applied twice, order kept, poison parked."""

from __future__ import annotations

import uuid
from io import StringIO

import pytest
from django.core.management import call_command

from shop.platform.events import PublishOutsideTransaction, bus, publish
from shop.platform.events.inbox import UNHANDLED, accept, process_due
from shop.platform.events.models import InboxStatus
from shop.platform.events.relay import claim, relay
from shop.platform.events.worker import drain

from .conftest import ProbeHappened, bump, count

pytestmark = pytest.mark.django_db(databases="__all__")


def store(context: str):
    return bus.store_of(context)


def inbox_rows(context: str = "inventory"):
    return store(context).inbox.objects.using(store(context).alias)


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_publish_outside_a_transaction_raises_instead_of_losing_the_event():
    with pytest.raises(PublishOutsideTransaction):
        publish(ProbeHappened(key="K-1"))
    assert store("catalog").outbox.objects.using("catalog").count() == 0


def test_a_published_event_is_delivered_and_applied_once(subscriptions, emit):
    def when_catalog_probe_happened_bump(event):
        bump("APPLIED")

    subscriptions(when_catalog_probe_happened_bump)
    emit()
    drain()
    drain()
    assert count("APPLIED") == 1
    assert store("catalog").outbox.objects.using("catalog").get().dispatched_at is not None
    assert inbox_rows().get().status == InboxStatus.DONE


def test_the_same_envelope_delivered_twice_is_applied_once(subscriptions, emit):
    def when_catalog_probe_happened_bump(event):
        bump("APPLIED")

    subscriptions(when_catalog_probe_happened_bump)
    envelope = emit()
    drain()
    accept(envelope, "inventory")  # delivered again
    process_due(store("inventory"))
    assert count("APPLIED") == 1
    assert inbox_rows().count() == 1


def test_a_handler_failing_three_times_then_succeeding_applies_its_effect_once(
    subscriptions, emit, fast_retries, eventually
):
    attempts = []

    def when_catalog_probe_happened_flaky(event):
        attempts.append(1)
        bump("APPLIED")  # written, then rolled back with the failure
        if len(attempts) <= 3:
            raise ConnectionError(f"flaky attempt {len(attempts)}")

    subscriptions(when_catalog_probe_happened_flaky)
    emit()

    def settled():
        drain()
        assert inbox_rows().get().status == InboxStatus.DONE

    eventually(settled)
    assert len(attempts) == 4
    assert count("APPLIED") == 1
    assert inbox_rows().get().attempts == 4


def test_a_poison_handler_is_parked_dead_while_others_proceed_and_retry_redrives_it(
    subscriptions, emit, fast_retries, eventually
):
    broken = {"yes": True}

    def when_catalog_probe_happened_poison(event):
        if broken["yes"]:
            raise ValueError("cannot handle this")
        bump("POISON")

    def when_catalog_probe_happened_fine(event):
        bump("FINE")

    poison = subscriptions(when_catalog_probe_happened_poison)
    subscriptions(when_catalog_probe_happened_fine)
    emit("K-1")

    def parked():
        drain()
        row = inbox_rows().get(handler=poison)
        assert row.status == InboxStatus.DEAD
        return row

    row = eventually(parked)
    assert row.attempts == fast_retries["max_attempts"]
    assert "ValueError: cannot handle this" in row.last_error
    assert count("FINE") == 1 and count("POISON") == 0

    emit("K-2")  # later events are not blocked by the dead row
    drain()
    assert count("FINE") == 2

    broken["yes"] = False  # the fix is deployed
    call_command("events", "retry", "--dead", stdout=StringIO())
    drain()
    assert count("POISON") == 2
    assert inbox_rows().filter(status=InboxStatus.DEAD).count() == 0


def test_events_of_one_aggregate_reach_a_handler_in_sequence_order(subscriptions, emit):
    seen = []

    def when_catalog_probe_happened_record(event):
        seen.append(event.n)

    subscriptions(when_catalog_probe_happened_record)
    first, second, third = emit("K-1", 1), emit("K-1", 2), emit("K-1", 3)
    assert [e["sequence"] for e in (first, second, third)] == [1, 2, 3]
    for envelope in (third, first, second):  # arrive out of order
        accept(envelope, "inventory")
    process_due(store("inventory"))
    process_due(store("inventory"))
    process_due(store("inventory"))
    assert seen == [1, 2, 3]


def test_an_unknown_event_type_is_parked_not_crashed_on():
    envelope = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "shipping",
        "type": "shipping.ParcelLost",
        "dataversion": 1,
        "subject": "P-1",
        "sequence": 1,
        "data": {"parcel": "P-1"},
    }
    accept(envelope, "inventory")
    assert process_due(store("inventory")) == 0
    row = inbox_rows().get()
    assert (row.status, row.handler) == (InboxStatus.PARKED, UNHANDLED)
    assert "no handler for shipping.ParcelLost" in row.last_error


def test_a_relay_that_died_holding_a_claim_loses_nothing_once_its_lease_expires(
    subscriptions, emit, fast_retries
):
    def when_catalog_probe_happened_bump(event):
        bump("APPLIED")

    subscriptions(when_catalog_probe_happened_bump)
    emit()
    outbox = store("catalog").outbox.objects.using("catalog")
    assert len(claim(store("catalog"), limit=10, owner="relay-that-dies")) == 1
    assert relay(store("catalog"), owner="survivor") == 0  # the claim is still leased
    outbox.update(locked_until="2000-01-01T00:00:00Z")  # ...until the lease runs out
    assert relay(store("catalog"), owner="survivor") == 1
    drain()
    assert count("APPLIED") == 1


def test_an_event_nobody_subscribes_to_is_kept_dispatched_and_never_relayed(emit):
    envelope = emit()
    row = store("catalog").outbox.objects.using("catalog").get()
    assert row.dispatched_at is not None and row.dispatched_at == row.created_at
    assert (row.sequence, row.envelope["sequence"], envelope["sequence"]) == (1, 1, 1)
    assert claim(store("catalog"), limit=10) == []
    assert relay(store("catalog")) == 0


def test_an_aggregates_sequence_is_numbered_in_the_row_and_the_envelope_alike(subscriptions, emit):
    def when_catalog_probe_happened_bump(event):
        bump("APPLIED")

    subscriptions(when_catalog_probe_happened_bump)
    returned = [emit("K-1")["sequence"] for _ in range(3)] + [emit("K-2")["sequence"]]
    assert returned == [1, 2, 3, 1]
    rows = store("catalog").outbox.objects.using("catalog").order_by("subject", "sequence")
    assert [(r.subject, r.sequence, r.envelope["sequence"]) for r in rows] == [
        ("K-1", 1, 1),
        ("K-1", 2, 2),
        ("K-1", 3, 3),
        ("K-2", 1, 1),
    ]
    assert all(r.dispatched_at is None for r in rows)  # it has a subscriber: to be relayed
