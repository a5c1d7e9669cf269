"""The inbox: each event is written once per handler, and handled once.

A handler's writes and its inbox row's `done` mark commit in one transaction on
the consuming context's store, so a redelivered event finds the row done and
does nothing. Rows are taken in batches (FOR UPDATE SKIP LOCKED on PostgreSQL,
so several workers share the work); handlers run under savepoints, so one
failure rolls back only that handler's writes. A failing handler is retried
with exponential backoff and full jitter, then parked as `dead` with its last
error; other rows are not held up, except that a handler sees one aggregate's
events in `sequence` order: a row waits while an earlier one for the same
handler and aggregate is still pending. A batch's transaction is committed once
it has run for `batch_seconds`, so a slow handler holds the store's write lock
(SQLite has one) for about its own duration, not a whole batch's.

A handler that meets a row another transaction holds for long (lock timeout,
deadlock) did nothing wrong: the batch commits what it did and leaves that row
due, without counting an attempt, and the store's batches take turns for a while.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import time
import traceback
import zlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.db import DatabaseError, connections, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from shop.platform.events.bus import Store, bus
from shop.platform.events.envelope import decode
from shop.platform.events.errors import RetryLater, Unavailable
from shop.platform.events.models import InboxStatus
from shop.platform.events.observation import observed
from shop.platform.events.settings import event_settings
from shop.platform.events.tracing import caused_by, from_envelope
from shop.platform.observability import logs

log = structlog.get_logger(__name__)

UNHANDLED = "(unhandled)"


def accept(envelope: dict[str, Any], context: str) -> None:
    """Write the envelope into `context`'s inbox once per handler (again: no new rows)."""
    accept_many([envelope], context)


def accept_many(envelopes: Iterable[dict[str, Any]], context: str) -> None:
    store = bus.store_of(context)
    _insert_new(store, [row for envelope in envelopes for row in _rows_for(store, envelope)])


def _rows_for(store: Store, envelope: dict[str, Any]) -> list[dict[str, Any]]:
    """The inbox rows (as field values; the rest are the model's defaults) for one envelope."""
    version = int(envelope.get("dataversion", 1))
    names = [
        sub.name
        for sub in bus.subscriptions_to(envelope["type"])
        if sub.context == store.context and sub.version == version
    ]
    common = {
        "event_id": envelope["id"],
        "event_type": envelope["type"],
        "source": envelope["source"],
        "subject": envelope.get("subject") or "",
        "sequence": int(envelope.get("sequence") or 0),
        "envelope": envelope,
    }
    if names:
        return [{"handler": name, **common} for name in names]
    # We do not speak this type (or version): keep it for an operator, never crash.
    reason = f"{store.context} has no handler for {envelope['type']} v{version}"
    return [{"handler": UNHANDLED, "status": InboxStatus.PARKED, "last_error": reason, **common}]


def _insert_new(store: Store, rows: list[dict[str, Any]]) -> None:
    """Insert inbox rows in one statement, skipping those already there (event, handler)."""
    if not rows:
        return
    connection = connections[store.alias]
    if connection.vendor != "postgresql":
        store.inbox.objects.using(store.alias).bulk_create(
            [store.inbox(**row) for row in rows], ignore_conflicts=True
        )
        return
    # One JSON document the server expands into rows: Django's bulk insert quotes an
    # array per column in Python here, which cost several times the insert itself.
    fields = _insert_fields(store)
    defaults = {field.attname: field.get_default() for field in fields}
    payload = [
        {field.column: row.get(field.attname, defaults[field.attname]) for field in fields}
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(store), [json.dumps(payload, default=_json_value)])


def _insert_fields(store: Store) -> list:
    return [field for field in store.inbox._meta.concrete_fields if not field.primary_key]


@functools.cache
def _insert_sql(store: Store) -> str:
    quote = connections[store.alias].ops.quote_name
    table = quote(store.inbox._meta.db_table)
    columns = ", ".join(quote(field.column) for field in _insert_fields(store))
    return (
        f"INSERT INTO {table} ({columns}) SELECT {columns} "  # noqa: S608 - names from the model
        f"FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb) ON CONFLICT DO NOTHING"
    )


def _json_value(value: Any) -> str:
    """Timestamps keep their microseconds and zone; UUIDs become their text."""
    return value.isoformat() if isinstance(value, datetime) else str(value)


def process_due(store: Store, *, limit: int | None = None) -> int:
    """Handle one batch of due rows; returns how many were handled successfully."""
    conf = event_settings()
    limit = limit or conf.batch_size
    rows = store.inbox.objects.using(store.alias)
    due = rows.filter(status=InboxStatus.PENDING, next_attempt_at__lte=timezone.now())
    if not due.exists():
        return 0  # one round trip, where taking a batch costs three: most stores are idle
    with transaction.atomic(using=store.alias):
        if not _take_turn(store, lock_timeout=2 * conf.batch_seconds):
            return 0  # another worker is on this inbox now; it takes these rows too
        batch = list(
            due.select_for_update(skip_locked=True)
            .annotate(first_pending=_first_pending(rows))
            .order_by("next_attempt_at")[:limit]
        )
        if not batch:
            return 0
        prefer_index_order(store.alias, False)  # the handlers' queries are planned as usual
        batch.sort(key=lambda row: row.sequence)  # an aggregate's events in one batch, in order
        handled = _run_in_order(store, batch, deadline=time.monotonic() + conf.batch_seconds)
        if handled:
            rows.filter(id__in=[row.id for row in handled]).update(
                status=InboxStatus.DONE,
                done_at=timezone.now(),
                last_error="",
                attempts=F("attempts") + 1,
            )
    return len(handled)


def prefer_index_order(alias: str, prefer: bool = True) -> None:
    """Have PostgreSQL walk a pending index in order rather than sort the whole backlog.

    Queue tables swing from empty to a burst of thousands of rows faster than their
    statistics follow; planned for "a few rows", a batch query would sort every
    pending row (on disk) to take the first ones. Lasts until `prefer=False` or the
    end of the transaction, so handlers run later in it are planned as usual.
    """
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_sort = off" if prefer else "RESET enable_sort")


def _take_turn(store: Store, *, lock_timeout: float) -> bool:
    """Set up a batch transaction on PostgreSQL; False if another worker has the inbox now.

    Walk the due index rather than sort (see `prefer_index_order`), and wait at most
    `lock_timeout` for a row another transaction holds: batches keep their handlers'
    row locks until they commit, so two batches taking the same hot rows (stock
    items) in different orders would otherwise deadlock, found only after a second.

    Once that happened on a store, this process takes turns on it for a while: one
    batch at a time across workers (an advisory lock), a worker finding the inbox
    busy moving on to other stores. Stores whose handlers never meet keep running
    batches side by side, so a slow handler (a payment provider) holds up no other.
    """
    connection = connections[store.alias]
    if connection.vendor != "postgresql":
        return True  # SQLite: the store's single writer serializes batches already
    taking_turns = _contention.recent(store.context)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT %s OR pg_try_advisory_xact_lock(%s, %s),"
            " set_config('enable_sort', 'off', true), set_config('lock_timeout', %s, true)",
            [
                taking_turns,
                TURNS,
                zlib.crc32(store.inbox._meta.db_table.encode()) - 2**31,
                f"{max(10, round(lock_timeout * 1000))}ms",
            ],
        )
        return cursor.fetchone()[0]


# The advisory lock namespace of inbox turns ("inbx"); the key is the inbox table's.
TURNS = 0x696E6278


class _Contention:
    """Which stores' batches met each other's row locks lately, in this process."""

    memory_seconds = 30.0

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    def seen(self, context: str) -> None:
        self._until[context] = time.monotonic() + self.memory_seconds

    def recent(self, context: str) -> bool:
        return time.monotonic() < self._until.get(context, 0.0)


_contention = _Contention()


# lock_not_available, deadlock_detected, serialization_failure: another transaction
# was in the way, the handler did nothing wrong.
CONTENTION = {"55P03", "40P01", "40001"}


def _contended(error: BaseException | None) -> bool:
    for _ in range(5):  # the driver's error is a cause or two down (Django wraps it)
        if error is None:
            return False
        if getattr(error, "sqlstate", None) in CONTENTION:
            return True
        error = error.__cause__ or error.__context__
    return False


class _Contended(Exception):  # noqa: N818 - a signal to end the batch, not an error
    """A handler met rows another transaction holds: commit what is done, retry it soon."""


def _first_pending(rows) -> Subquery:
    """Per row: the lowest sequence still pending for its handler and aggregate."""
    return Subquery(
        rows.filter(
            status=InboxStatus.PENDING,
            handler=OuterRef("handler"),
            source=OuterRef("source"),
            subject=OuterRef("subject"),
        )
        .order_by("sequence")
        .values("sequence")[:1]
    )


class _Turns:
    """A row's turn comes once every pending event before it (same handler and aggregate) ran.

    Pending rows of an aggregate form a run of sequences from `first_pending`; a row
    may go when every one of them below it was handled earlier in this batch.
    """

    def __init__(self, next_up: dict | None = None) -> None:
        self.next_up: dict[tuple[str, str, str], int] = dict(next_up or {})

    def copy(self) -> _Turns:
        return _Turns(self.next_up)

    def due(self, row) -> bool:
        first = row.sequence if row.first_pending is None else row.first_pending
        return row.sequence <= self.next_up.get(_aggregate(row), first)

    def handled(self, row) -> None:
        key = _aggregate(row)
        self.next_up[key] = max(self.next_up.get(key, row.sequence), row.sequence + 1)


def _aggregate(row) -> tuple[str, str, str]:
    return (row.handler, row.source, row.subject)


class _HandlerFailed(Exception):  # noqa: N818 - carries a handler's failure out of a run
    def __init__(self, row, error: Exception) -> None:
        super().__init__(str(error))
        self.row, self.error = row, error


def _run_in_order(store: Store, batch: list, *, deadline: float) -> list:
    """Run the batch's handlers in order; returns the rows handled.

    One savepoint covers a whole run of handlers, not one each: a savepoint costs
    two round trips, often more than the handler. When a handler fails, the run's
    savepoint is rolled back, the handlers before it in the run are run again in a
    savepoint each (their writes went with the run), the failure is recorded, and a
    new run starts after it. So a failure still undoes only its own handler's writes,
    and a handler may be run again after a rollback, as with any redelivery.
    """
    handled: list = []
    try:
        _run_runs(store, batch, handled, deadline=deadline)
    except _Contended:
        _contention.seen(store.context)  # the contended row and the rest stay due
    return handled


def _run_runs(store: Store, batch: list, handled: list, *, deadline: float) -> None:
    turns = _Turns()
    start = 0
    while start < len(batch):
        before, ran, ran_ok = turns.copy(), [], []
        try:
            with transaction.atomic(using=store.alias):
                for row in batch[start:]:
                    if time.monotonic() > deadline:
                        break  # commit now: a store's write lock is never held for long
                    ran.append(row)
                    if turns.due(row) and _attempt(store, row):
                        turns.handled(row)
                        ran_ok.append(row)
        except (_HandlerFailed, DatabaseError) as failure:
            if not ran:
                raise
            # A database error may be an earlier handler's doing (one that broke the
            # transaction and said nothing): then every handler of the run goes again,
            # one savepoint each, to find out whose it is. Any other failure is its own.
            own = isinstance(failure, _HandlerFailed) and not isinstance(
                failure.error, DatabaseError
            )
            turns = before
            for row in ran[:-1] if own else ran:
                if turns.due(row) and _handle(store, row):
                    turns.handled(row)
                    handled.append(row)
            if own:
                _failed(failure.row, failure.error)
            start += len(ran)
            continue
        handled += ran_ok
        return


def _handle(store: Store, row) -> bool:
    """Run one row's handler in a savepoint of its own; on failure record it, report False."""
    try:
        with transaction.atomic(using=store.alias):
            return _attempt(store, row)
    except _HandlerFailed as failed:
        if _contended(failed.error):
            raise _Contended from failed.error
        _failed(row, failed.error)
        return False


def _attempt(store: Store, row) -> bool:
    """Run the row's handler: True if handled, False if parked; a failure raises."""
    if row.handler == UNHANDLED:
        return redeliver_unhandled(store, row)
    sub = bus.subscription(row.handler)
    try:
        event = decode(row.envelope)
    except Exception as exc:  # malformed or foreign data: park it, never stall the inbox
        _park(row, f"cannot decode: {type(exc).__name__}: {exc}")
        return False
    if sub is None:
        _park(row, f"no handler named {row.handler} in this process")
        return False
    try:
        with (
            caused_by(from_envelope(row.envelope)),
            observed(row.envelope, context=store.context, handler=row.handler),
        ):
            sub.handler(event)
    except Exception as exc:  # any failure is retried, then parked; never swallowed
        raise _HandlerFailed(row, exc) from exc
    return True


def redeliver_unhandled(store: Store, row) -> bool:
    """A parked "(unhandled)" row made due again: hand it to the handlers we have now."""
    rows = _rows_for(store, row.envelope)
    if rows[0]["handler"] == UNHANDLED:
        _park(row, rows[0]["last_error"])  # still nobody here speaks this event
        return False
    _insert_new(store, rows)
    return True  # the placeholder is done: its handlers now have rows of their own


def backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**attempts)]."""
    conf = event_settings()
    ceiling = min(conf.backoff_max_seconds, conf.backoff_base_seconds * 2 ** min(attempts, 32))
    return timedelta(seconds=random.uniform(0, ceiling))  # noqa: S311 - jitter, not crypto


def _failed(row, exc: Exception) -> None:
    """Record a failed attempt: due again after a backoff, or dead once its budget is spent."""
    now = timezone.now()
    row.attempts += 1
    row.failing_since = row.failing_since or now
    error = "".join(traceback.format_exception_only(exc)).strip()
    kind, spent, next_attempt_at = _budget(row, exc, now)
    fields = {**_log_fields(row), "attempts": row.attempts, "error": error[:500]}
    if spent:
        row.status = InboxStatus.DEAD
        row.last_error = f"parked dead, {spent}. Last error: {error}"[:4000]
        log.error("handler parked event dead", kind=kind, budget=spent, **fields)
    else:
        row.last_error = error[:4000]
        row.next_attempt_at = next_attempt_at
        level = logging.INFO if kind == NOT_YET else logging.WARNING
        log.log(level, MESSAGES[kind], kind=kind, retry_at=next_attempt_at.isoformat(), **fields)
    row.save(update_fields=["attempts", "last_error", "status", "next_attempt_at", "failing_since"])


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


def _log_fields(row) -> dict[str, Any]:
    return logs.event_fields(row.envelope, context=row._meta.app_label, handler=row.handler)


def _park(row, reason: str) -> None:
    row.status = InboxStatus.PARKED
    row.last_error = reason
    row.save(update_fields=["status", "last_error"])
    log.error("parked event", reason=reason, **_log_fields(row))
