"""Woken by a commit, the inline worker works only the stores known to have work: the
outbox published to and the inboxes its delivery wrote into, never an idle store."""

from __future__ import annotations

import pytest
from django.db import connections

from shop.platform.events import bus, known
from shop.platform.events.worker import drain, drain_known

from .conftest import bump, count

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def statements():
    """The aliases every statement went to, while the fixture is used."""
    sent: list[str] = []
    wrappers = []
    for alias in connections:

        def record(execute, sql, params, many, context, alias=alias):
            sent.append(alias)
            return execute(sql, params, many, context)

        connections[alias].execute_wrappers.append(record)
        wrappers.append((alias, record))
    known.outboxes.take(), known.inboxes.take()  # nothing left over from another test
    yield sent
    for alias, record in wrappers:
        connections[alias].execute_wrappers.remove(record)


def test_a_committed_event_is_relayed_and_handled_without_touching_idle_stores(
    subscriptions, emit, statements
):
    def when_catalog_probe_happened_bump(event):
        bump("APPLIED")

    subscriptions(when_catalog_probe_happened_bump)
    emit()  # commits: the nudge marks catalog's outbox
    statements.clear()
    drain_known()
    assert count("APPLIED") == 1
    assert set(statements) == {"catalog", "inventory"}  # not ordering's, not billing's
    assert known.outboxes.take() == set() and known.inboxes.take() == set()


def test_what_no_nudge_announced_waits_for_the_sweep(subscriptions, emit, statements):
    def when_catalog_probe_happened_bump(event):
        bump("APPLIED")

    subscriptions(when_catalog_probe_happened_bump)
    emit()
    known.outboxes.take()  # as if another process had committed it
    drain_known()
    assert count("APPLIED") == 0
    drain()  # the sweep looks at every store
    assert count("APPLIED") == 1
    rows = bus.store_of("catalog").outbox.objects.using("catalog")
    assert rows.get().dispatched_at is not None
