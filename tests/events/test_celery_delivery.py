"""The celery `deliver` task never loses the message before the inbox holds its event."""

from __future__ import annotations

import pytest
from celery.exceptions import Reject
from django.db import OperationalError

from shop.platform.events import bus, inbox, tasks
from shop.platform.events.models import InboxStatus
from shop.platform.events.tasks import deliver

from .conftest import bump, count

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture
def failing_inbox(monkeypatch):
    """The inbox store refuses the first `failures` writes, as a store that is down would."""
    real = inbox.accept_many
    calls = []

    def install(failures: int) -> list:
        def accept_many(envelopes, context):
            calls.append(context)
            if len(calls) <= failures:
                raise OperationalError("the inventory store is unreachable")
            return real(envelopes, context)

        monkeypatch.setattr(inbox, "accept_many", accept_many)
        return calls

    return install


def test_an_event_the_inbox_could_not_store_is_retried_until_it_is_applied(
    subscriptions, emit, failing_inbox
):
    def when_catalog_probe_happened_bump(event):
        bump("APPLIED")

    subscriptions(when_catalog_probe_happened_bump)
    envelope = emit()
    calls = failing_inbox(6)  # more than Celery's default limit of 3 retries

    deliver.apply(args=(envelope, "inventory"))  # eager: each retry runs at once

    assert len(calls) == 7
    assert count("APPLIED") == 1
    rows = bus.store_of("inventory").inbox.objects.using("inventory")
    assert list(rows.values_list("status", flat=True)) == [InboxStatus.DONE]


def test_a_retry_the_broker_refuses_puts_the_message_back_on_its_queue(
    subscriptions, emit, failing_inbox, monkeypatch
):
    subscriptions(lambda event: None)
    envelope = emit()
    failing_inbox(1)

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down too")

    monkeypatch.setattr(deliver, "retry", broker_down)
    monkeypatch.setattr(tasks, "REQUEUE_PAUSE_SECONDS", 0)

    result = deliver.apply(args=(envelope, "inventory"))

    # Reject(requeue=True): the worker hands the message back to Redis, never acks it.
    assert isinstance(result.result, Reject)
    assert result.result.requeue is True


def test_an_envelope_the_inbox_cannot_read_is_dropped_not_retried(subscriptions, monkeypatch):
    subscriptions(lambda event: None)
    retried = []
    monkeypatch.setattr(deliver, "retry", lambda *args, **kwargs: retried.append(kwargs))

    result = deliver.apply(args=({"type": "catalog.ProbeHappened"}, "inventory"))  # no id

    assert result.failed()
    assert isinstance(result.result, KeyError)
    assert retried == []
