"""Running a batch of inbox rows' handlers: in order, in few savepoints, failures apart.

A handler's writes and its row's `done` mark commit in one transaction on the consuming
context's store. One savepoint covers a run of handlers, and the use cases' own atomic
blocks join it (`joined`); a failure rolls back only its own handler's writes (the others
of the run go again, a savepoint each), and is recorded for a retry.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from django.db import DatabaseError, connections, transaction

from shop.platform.events.accepting import UNHANDLED, insert_new, rows_for
from shop.platform.events.budgets import park, record_failure
from shop.platform.events.bus import Store, bus
from shop.platform.events.envelope import decode
from shop.platform.events.observation import observed
from shop.platform.events.tracing import caused_by, from_envelope
from shop.platform.events.turns import Contended, Turns, contended, contention


class HandlerFailed(Exception):  # noqa: N818 - carries a handler's failure out of a run
    def __init__(self, row, error: Exception) -> None:
        super().__init__(str(error))
        self.row, self.error = row, error


def run_in_order(store: Store, batch: list, *, deadline: float) -> list:
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
    except Contended:
        contention.seen(store.context)  # the contended row and the rest stay due
    return handled


class RunBroken(DatabaseError):
    """A handler left the run's transaction unusable and said nothing (it caught an error
    raised inside an atomic block that had joined the run's savepoint)."""


@contextlib.contextmanager
def joined(alias: str) -> Iterator[None]:
    """Atomic blocks opened inside (the use cases' own) join the enclosing savepoint.

    A use case opens `transaction.atomic()` so that it commits alone when called from a
    request; inside a run it would make a savepoint of its own, two round trips per
    handler, while the run's savepoint already undoes a failing handler's writes (its
    failure ends the run and the run's savepoint is rolled back). So while a run goes,
    its store's connection makes no new savepoints: an atomic block that fails marks the
    run for rollback instead. A handler that catches such an error and carries on finds
    the run broken (RunBroken, or Django refusing its next query); then every handler of
    the run goes again in a savepoint of its own, as after any database error, with
    savepoints as usual.
    """
    connection = connections[alias]
    # On this connection only: Django's savepoint() asks _savepoint_allowed() (both the
    # PostgreSQL and the SQLite backend), and an atomic block without a savepoint marks
    # the enclosing one for rollback when it fails. tests/events/test_joined_savepoints.py
    # fails if a Django upgrade changes that.
    connection._savepoint_allowed = _no_savepoints
    try:
        yield
    finally:
        del connection._savepoint_allowed


def _no_savepoints() -> bool:
    return False


def _run_runs(store: Store, batch: list, handled: list, *, deadline: float) -> None:
    turns = Turns()
    start = 0
    connection = connections[store.alias]
    while start < len(batch):
        before, ran, ran_ok = turns.copy(), [], []
        try:
            with transaction.atomic(using=store.alias), joined(store.alias):
                for row in batch[start:]:
                    if time.monotonic() > deadline:
                        break  # commit now: a store's write lock is never held for long
                    ran.append(row)
                    if turns.due(row) and _attempt(store, row):
                        turns.handled(row)
                        ran_ok.append(row)
                    if connection.needs_rollback:
                        raise RunBroken(f"{row.handler} left the transaction unusable")
        except (HandlerFailed, DatabaseError) as failure:
            if not ran:
                raise
            # A database error may be an earlier handler's doing (one that broke the
            # transaction and said nothing): then every handler of the run goes again,
            # one savepoint each, to find out whose it is. Any other failure is its own.
            own = isinstance(failure, HandlerFailed) and not isinstance(
                failure.error, DatabaseError
            )
            turns = before
            for row in ran[:-1] if own else ran:
                if turns.due(row) and _handle(store, row):
                    turns.handled(row)
                    handled.append(row)
            if own:
                record_failure(failure.row, failure.error)
            start += len(ran)
            continue
        handled += ran_ok
        return


def _handle(store: Store, row) -> bool:
    """Run one row's handler in a savepoint of its own; on failure record it, report False."""
    try:
        with transaction.atomic(using=store.alias):
            return _attempt(store, row)
    except HandlerFailed as failed:
        if contended(failed.error):
            raise Contended from failed.error
        record_failure(row, failed.error)
        return False


def _attempt(store: Store, row) -> bool:
    """Run the row's handler: True if handled, False if parked; a failure raises."""
    if row.handler == UNHANDLED:
        return redeliver_unhandled(store, row)
    sub = bus.subscription(row.handler)
    try:
        event = decode(row.envelope)
    except Exception as exc:  # malformed or foreign data: park it, never stall the inbox
        park(row, f"cannot decode: {type(exc).__name__}: {exc}")
        return False
    if sub is None:
        park(row, f"no handler named {row.handler} in this process")
        return False
    try:
        with (
            caused_by(from_envelope(row.envelope)),
            observed(row.envelope, context=store.context, handler=row.handler),
        ):
            sub.handler(event)
    except Exception as exc:  # any failure is retried, then parked; never swallowed
        raise HandlerFailed(row, exc) from exc
    return True


def redeliver_unhandled(store: Store, row) -> bool:
    """A parked "(unhandled)" row made due again: hand it to the handlers we have now."""
    rows = rows_for(store, row.envelope)
    if rows[0]["handler"] == UNHANDLED:
        park(row, rows[0]["last_error"])  # still nobody here speaks this event
        return False
    insert_new(store, rows)
    return True  # the placeholder is done: its handlers now have rows of their own
