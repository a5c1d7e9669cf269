"""What a failed handler costs: retried with backoff until its budget is spent, then dead.

A failure has `max_attempts` attempts; "not yet" (RetryLater) and "unavailable"
(Unavailable) have time budgets of their own from the row's first failure.
"""

from __future__ import annotations

import logging
import random
import traceback
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.utils import timezone

from shop.platform.events.due import DueRow
from shop.platform.events.errors import RetryLater, Unavailable
from shop.platform.events.models import InboxStatus
from shop.platform.events.settings import event_settings
from shop.platform.observability import logs

# The inbox's own log: an operator searches one logger for what happened to a row.
log = structlog.get_logger("shop.platform.events.inbox")


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**attempts)]."""
    conf = event_settings()
    ceiling = min(conf.backoff_max_seconds, conf.backoff_base_seconds * 2 ** min(attempts, 32))
    return timedelta(seconds=random.uniform(0, ceiling))  # noqa: S311 - jitter, not crypto


def record_failure(row, exc: Exception) -> None:
    """Record a failed attempt: due again after a backoff, or dead once its budget is spent."""
    now = timezone.now()
    row.attempts += 1
    row.failing_since = row.failing_since or now
    error = "".join(traceback.format_exception_only(exc)).strip()
    kind, spent, next_attempt_at = _budget(row, exc, now)
    fields = {**log_fields(row), "attempts": row.attempts, "error": error[:500]}
    if spent:
        row.status = InboxStatus.DEAD
        row.last_error = f"parked dead, {spent}. Last error: {error}"[:4000]
        log.error("handler parked event dead", kind=kind, budget=spent, **fields)
    else:
        row.last_error = error[:4000]
        row.next_attempt_at = next_attempt_at
        level = logging.INFO if kind == NOT_YET else logging.WARNING
        log.log(level, MESSAGES[kind], kind=kind, retry_at=next_attempt_at.isoformat(), **fields)
    save(row, ["attempts", "last_error", "status", "next_attempt_at", "failing_since"])


# What a failure is, for its retry budget (errors.py): each kind has a budget of its own.
FAILED, NOT_YET, UNAVAILABLE = "failed", "not_yet", "unavailable"


MESSAGES = {
    FAILED: "handler failed on event",
    NOT_YET: "handler waits on event",
    UNAVAILABLE: "handler waits on an unavailable service",
}


def _budget(row, exc: Exception, now: datetime) -> tuple[str, str, datetime | None]:
    """(kind of failure, which budget ran out or "", when to try next if none did).

    A failure has `max_attempts` attempts. "Not yet" and "unavailable" have a time
    budget from the row's first failure: retried with backoff, the last retry timed
    at the budget's end, and dead at the first failure past it.
    """
    conf = event_settings()
    if not isinstance(exc, RetryLater | Unavailable):
        if row.attempts < conf.max_attempts:
            return FAILED, "", now + backoff(row.attempts)
        return (
            FAILED,
            f"the attempts budget ran out (SHOP_EVENTS_MAX_ATTEMPTS={conf.max_attempts})",
            None,
        )
    kind, seconds = (
        (UNAVAILABLE, conf.unavailable_seconds)
        if isinstance(exc, Unavailable)
        else (NOT_YET, conf.not_yet_seconds)
    )
    end = row.failing_since + timedelta(seconds=seconds)
    if now < end:
        return kind, "", min(now + backoff(row.attempts), end)
    waited = (now - row.failing_since).total_seconds()
    spent = (
        f"the {kind.replace('_', '-')} budget ran out (SHOP_EVENTS_{kind.upper()}_SECONDS={seconds:g}):"
        f" retried for {waited:.0f} s over {row.attempts} attempts"
    )
    return kind, spent, None


def log_fields(row) -> dict[str, Any]:
    return logs.event_fields(row.envelope, context=row.context, handler=row.handler)


def save(row, names: list[str]) -> None:
    """Write these fields of an inbox row back: a taken row (shop.platform.events.due) by
    its id, a model instance as Django saves one."""
    if isinstance(row, DueRow):
        store = row.store
        values = {name: getattr(row, name) for name in names}
        store.inbox.objects.using(store.alias).filter(id=row.id).update(**values)
    else:
        row.save(update_fields=names)


def park(row, reason: str) -> None:
    row.status = InboxStatus.PARKED
    row.last_error = reason
    save(row, ["status", "last_error"])
    log.error("parked event", reason=reason, **log_fields(row))
