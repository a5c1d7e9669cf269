"""Retry budgets: a failure has attempts, "not yet" and "unavailable" have time.

A row whose handler keeps saying "not yet" (`RetryLater`) or "unavailable"
(`Unavailable`) is retried past `max_attempts` while its budget lasts, and parked
dead, saying which budget ran out, at the first failure after it. The budgets are
durations from the row's first failure; the tests move that moment back rather than
wait for it.
"""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from shop.platform.events import RetryLater, Unavailable, bus
from shop.platform.events import budgets as budgets_module
from shop.platform.events.models import InboxStatus
from shop.platform.events.worker import drain

from .conftest import FAST_RETRIES, bump, count

pytestmark = pytest.mark.django_db(databases="__all__")

BUDGETS = {**FAST_RETRIES, "not_yet_seconds": 3600, "unavailable_seconds": 600}


@pytest.fixture
def budgets():
    with override_settings(SHOP_EVENTS=BUDGETS):
        yield BUDGETS


def rows():
    return bus.store_of("inventory").inbox.objects.using("inventory")


def retried_past_max_attempts(eventually) -> None:
    """Drain until the row has failed more often than `max_attempts` allows a failure."""

    def enough():
        drain()
        assert rows().get().attempts > BUDGETS["max_attempts"] + 2

    eventually(enough)


def budget_spent(seconds: float) -> None:
    """Move the row's first failure `seconds` (and a little) back, and make it due now."""
    row = rows().get()
    rows().update(
        failing_since=row.failing_since - timedelta(seconds=seconds + 1),
        next_attempt_at=timezone.now(),
    )


ERRORS = {
    "not yet": (
        RetryLater,
        "not_yet_seconds",
        "the not-yet budget ran out (SHOP_EVENTS_NOT_YET_SECONDS=3600)",
    ),
    "unavailable": (
        Unavailable,
        "unavailable_seconds",
        "the unavailable budget ran out (SHOP_EVENTS_UNAVAILABLE_SECONDS=600)",
    ),
}


@pytest.mark.parametrize("kind", ERRORS)
def test_within_its_budget_a_row_is_retried_past_max_attempts(
    kind, subscriptions, emit, budgets, eventually
):
    error, _, _ = ERRORS[kind]

    def when_catalog_probe_happened_wait(event):
        raise error("the other event has not come yet, or the provider is down")

    subscriptions(when_catalog_probe_happened_wait)
    emit("K-1")
    retried_past_max_attempts(eventually)

    row = rows().get()
    assert row.status == InboxStatus.PENDING
    assert "the provider is down" in row.last_error
    assert row.failing_since is not None


@pytest.mark.parametrize("kind", ERRORS)
def test_past_its_budget_a_row_is_parked_dead_saying_which_budget_ran_out_and_retry_revives_it(
    kind, subscriptions, emit, budgets, eventually
):
    error, budget, says = ERRORS[kind]
    waiting = {"yes": True}

    def when_catalog_probe_happened_wait(event):
        if waiting["yes"]:
            raise error("still waiting")
        bump("APPLIED")

    subscriptions(when_catalog_probe_happened_wait)
    emit("K-1")
    drain()
    assert rows().get().status == InboxStatus.PENDING

    budget_spent(BUDGETS[budget])
    drain()

    row = rows().get()
    assert row.status == InboxStatus.DEAD
    assert row.last_error.startswith(f"parked dead, {says}: retried for ")
    assert row.last_error.endswith("still waiting")
    # Revived, its budget starts again: it waits, and is applied once the wait is over.
    call_command("events", "retry", "--dead", stdout=StringIO())
    row = rows().get()
    assert (row.status, row.attempts, row.failing_since) == (InboxStatus.PENDING, 0, None)
    drain()
    assert rows().get().status == InboxStatus.PENDING  # a fresh budget, not spent at once
    waiting["yes"] = False
    eventually(lambda: drain() or _assert(count("APPLIED") == 1))
    assert rows().get().status == InboxStatus.DONE


def test_the_last_retry_is_timed_at_the_end_of_the_budget(
    subscriptions, emit, budgets, monkeypatch
):
    def when_catalog_probe_happened_wait(event):
        raise Unavailable("down")

    subscriptions(when_catalog_probe_happened_wait)
    emit("K-1")
    drain()
    monkeypatch.setattr(budgets_module, "backoff", lambda attempts: timedelta(days=1))
    budget_spent(BUDGETS["unavailable_seconds"] - 30)  # 29 s of the budget left
    drain()

    row = rows().get()
    assert row.status == InboxStatus.PENDING
    assert row.next_attempt_at == row.failing_since + timedelta(seconds=600)


def test_a_failure_still_has_max_attempts_only(subscriptions, emit, budgets, eventually):
    def when_catalog_probe_happened_fail(event):
        raise RuntimeError("a bug")

    subscriptions(when_catalog_probe_happened_fail)
    emit("K-1")

    def dead():
        drain()
        assert rows().get().status == InboxStatus.DEAD

    eventually(dead)
    row = rows().get()
    assert row.attempts == BUDGETS["max_attempts"]
    assert row.last_error == (
        "parked dead, the attempts budget ran out (SHOP_EVENTS_MAX_ATTEMPTS=4)."
        " Last error: RuntimeError: a bug"
    )


def _assert(condition: bool) -> bool:
    assert condition
    return condition
