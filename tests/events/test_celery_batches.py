"""The Celery transport sends one message per relayed batch and consuming context.

`deliver_batch` writes a batch's envelopes into the inbox with one insert and runs their
handlers; it never loses the message before the inbox holds every readable event of it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.exceptions import Reject
from django.db import OperationalError
from django.test import override_settings

from shop.platform.events import bus, inbox, redelivery, tasks, worker
from shop.platform.events.models import InboxStatus
from shop.platform.events.relay import relay
from shop.platform.events.tasks import CeleryTransport, deliver, deliver_batch

from .conftest import FAST_RETRIES, bump, count

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def inbox_rows():
    inventory = bus.store_of("inventory")
    return inventory.inbox.objects.using(inventory.alias)


@pytest.fixture
def applied(subscriptions):
    def when_catalog_probe_happened_bump(event):
        bump(f"APPLIED-{event.key}-{event.n}")
        bump("APPLIED")

    subscriptions(when_catalog_probe_happened_bump)
    return count


@pytest.fixture
def inserts(monkeypatch):
    """Every call of the inbox's write, with the envelopes it was given."""
    real = inbox.accept_many
    calls: list[list[dict]] = []

    def accept_many(envelopes, context):
        calls.append(list(envelopes))
        return real(envelopes, context)

    monkeypatch.setattr(inbox, "accept_many", accept_many)
    return calls


def test_a_batch_is_written_with_one_insert_and_each_of_its_events_is_handled(
    applied, emit, inserts
):
    envelopes = [emit("K-1", 1), emit("K-2", 1), emit("K-1", 2)]

    handled = deliver_batch.apply(args=(envelopes, "inventory")).get()

    assert inserts == [envelopes]
    assert handled == 3
    assert [applied(f"APPLIED-{key}-{n}") for key, n in [("K-1", 1), ("K-2", 1), ("K-1", 2)]] == [
        1,
        1,
        1,
    ]
    assert sorted(
        str(event_id) for event_id in inbox_rows().values_list("event_id", flat=True)
    ) == (sorted(envelope["id"] for envelope in envelopes))
    assert set(inbox_rows().values_list("status", flat=True)) == {InboxStatus.DONE}


def test_a_batch_delivered_again_applies_nothing_twice(applied, emit):
    envelopes = [emit("K-1", 1), emit("K-2", 1)]
    deliver_batch.apply(args=(envelopes, "inventory")).get()

    again = deliver_batch.apply(args=(envelopes, "inventory"))
    deliver_batch.apply(args=([envelopes[1], envelopes[0]], "inventory"))  # in another order

    assert again.successful()
    assert again.result == 0
    assert applied("APPLIED") == 2
    assert inbox_rows().count() == 2


def test_the_handlers_of_a_batch_larger_than_one_inbox_batch_all_run(applied, emit):
    envelopes = [emit(f"K-{i}") for i in range(5)]

    with override_settings(SHOP_EVENTS={**FAST_RETRIES, "batch_size": 2}):
        handled = deliver_batch.apply(args=(envelopes, "inventory")).get()

    assert handled == 5
    assert applied("APPLIED") == 5


def test_what_a_batch_s_handlers_publish_is_relayed_between_its_inbox_batches(
    applied, emit, monkeypatch
):
    """A slow batch holds its worker process: the next step of a saga must not wait for it."""
    envelopes = [emit(f"K-{i}") for i in range(3)]
    relayed = []
    monkeypatch.setattr(
        tasks.relay, "relay", lambda store: relayed.append((store.context, applied("APPLIED")))
    )

    with override_settings(SHOP_EVENTS={**FAST_RETRIES, "batch_size": 1}):
        assert deliver_batch.apply(args=(envelopes, "inventory")).get() == 3

    # After the first and the second of its three inbox batches (the last one's
    # publishing commit nudges a relay, as after any delivery).
    assert relayed == [("inventory", 1), ("inventory", 2)]


@pytest.mark.parametrize(
    "unreadable",
    [
        {"type": "catalog.ProbeHappened", "source": "catalog"},  # no id
        {"id": "not-a-uuid", "type": "catalog.ProbeHappened", "source": "catalog"},
    ],
    ids=["no-id", "malformed-id"],
)
def test_an_unreadable_envelope_is_dropped_and_logged_and_the_rest_of_its_batch_applied(
    applied, emit, inserts, log_lines, monkeypatch, unreadable
):
    good = [emit("K-1"), emit("K-2")]
    retried = []
    monkeypatch.setattr(deliver_batch, "retry", lambda *args, **kwargs: retried.append(kwargs))

    result = deliver_batch.apply(args=([good[0], unreadable, good[1]], "inventory"))

    assert result.successful()
    assert retried == []
    # The batch's insert failed; then each envelope was written on its own.
    assert inserts == [[good[0], unreadable, good[1]], [good[0]], [unreadable], [good[1]]]
    assert applied("APPLIED") == 2
    assert inbox_rows().count() == 2
    dropped = [
        line
        for line in log_lines()
        if line.get("event") == "an envelope the inbox cannot read: dropped"
    ]
    assert [(line["context"], line["event_id"]) for line in dropped] == [
        ("inventory", unreadable.get("id"))
    ]
    assert dropped[0]["error"]


@pytest.fixture
def failing_inbox(monkeypatch):
    """The inbox store refuses the first `failures` writes, as a store that is down would."""
    real = inbox.accept_many
    calls: list[list[dict]] = []

    def install(failures: int) -> list:
        def accept_many(envelopes, context):
            calls.append(list(envelopes))
            if len(calls) <= failures:
                raise OperationalError("the inventory store is unreachable")
            return real(envelopes, context)

        monkeypatch.setattr(inbox, "accept_many", accept_many)
        return calls

    return install


def test_a_batch_the_inbox_could_not_store_is_retried_whole_until_it_is_applied(
    applied, emit, failing_inbox
):
    envelopes = [emit("K-1"), emit("K-2"), emit("K-3")]
    calls = failing_inbox(6)  # more than Celery's default limit of 3 retries

    deliver_batch.apply(args=(envelopes, "inventory"))  # eager: each retry runs at once

    assert calls == [envelopes] * 7
    assert applied("APPLIED") == 3
    assert list(inbox_rows().values_list("status", flat=True)) == [InboxStatus.DONE] * 3


def test_a_batch_whose_retry_the_broker_refuses_goes_back_on_its_queue(
    applied, emit, failing_inbox, monkeypatch
):
    envelopes = [emit("K-1"), emit("K-2")]
    failing_inbox(1)

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down too")

    monkeypatch.setattr(deliver_batch, "retry", broker_down)
    monkeypatch.setattr(tasks, "REQUEUE_PAUSE_SECONDS", 0)

    result = deliver_batch.apply(args=(envelopes, "inventory"))

    # Reject(requeue=True): the worker hands the message back to Redis, never acks it.
    assert isinstance(result.result, Reject)
    assert result.result.requeue is True
    assert applied("APPLIED") == 0


@pytest.fixture
def sent(monkeypatch):
    """The messages the transport hands to Redis: (task, args, queue)."""
    messages: list[tuple[str, tuple, str]] = []
    for task in (deliver, deliver_batch):

        def apply_async(*, args, queue, task=task):
            messages.append((task.name, args, queue))

        monkeypatch.setattr(task, "apply_async", apply_async)
    return messages


def envelope(n: int) -> dict:
    return {"id": f"e-{n}", "type": "catalog.ProbeHappened", "source": "catalog"}


def test_a_batch_is_sent_as_one_message_per_consuming_context_in_its_order(sent):
    e1, e2, e3, e4 = (envelope(n) for n in range(1, 5))

    CeleryTransport().send_batch(
        [
            (e1, ["billing", "inventory"]),
            (e2, ["inventory"]),
            (e3, ["billing", "inventory"]),
            (e4, ["ordering"]),
        ]
    )

    assert sent == [
        ("shop.events.deliver_batch", ([e1, e3], "billing"), "billing"),
        ("shop.events.deliver_batch", ([e1, e2, e3], "inventory"), "inventory"),
        ("shop.events.deliver", (e4, "ordering"), "ordering"),  # one event: as it always was
    ]


def test_a_context_s_envelopes_go_in_messages_of_at_most_the_cap(sent, monkeypatch):
    monkeypatch.setattr(tasks, "MAX_ENVELOPES_PER_MESSAGE", 2)
    envelopes = [envelope(n) for n in range(5)]

    CeleryTransport().send_batch([(e, ["inventory"]) for e in envelopes])

    assert sent == [
        ("shop.events.deliver_batch", (envelopes[0:2], "inventory"), "inventory"),
        ("shop.events.deliver_batch", (envelopes[2:4], "inventory"), "inventory"),
        ("shop.events.deliver", (envelopes[4], "inventory"), "inventory"),
    ]


class Marks(dict):
    def set(self, context, until):
        self[context] = until


def test_events_redelivered_to_a_context_go_in_one_message_and_are_applied_once(
    applied, emit, sent, monkeypatch
):
    monkeypatch.setattr(worker, "nudge", lambda context=None: None)  # no Celery task here
    settings = {**FAST_RETRIES, "transport": "celery", "redeliver_after_seconds": 600}
    with override_settings(SHOP_EVENTS=settings):
        envelopes = [emit("K-1"), emit("K-2"), emit("K-3")]
        assert relay(bus.store_of("catalog")) == 3
        [(task, (batch, context), queue)] = sent  # the relay's batch: one message
        assert (task, context, queue) == ("shop.events.deliver_batch", "inventory", "inventory")
        assert [e["id"] for e in batch] == [e["id"] for e in envelopes]
        del sent[:]  # and the broker lost it
        catalog = bus.store_of("catalog")
        dispatched = catalog.outbox.objects.using(catalog.alias).latest("dispatched_at")
        later = dispatched.dispatched_at + timedelta(seconds=601)

        assert redelivery.redeliver_lost(marks=Marks(), now=later) == 3
        [(task, (batch, context), queue)] = sent
        assert (task, context, queue) == ("shop.events.deliver_batch", "inventory", "inventory")
        assert sorted(e["id"] for e in batch) == sorted(e["id"] for e in envelopes)
        deliver_batch.apply(args=(batch, context))
        deliver_batch.apply(args=(batch, context))  # and once more: nothing twice

    assert applied("APPLIED") == 3
