"""Whose turn it is: an aggregate's events in sequence order, and batches that meet.

A handler sees one aggregate's events in `sequence` order: a row waits while an earlier
one for the same handler and aggregate is still pending. Batches on PostgreSQL walk the
due index, wait a bounded time for rows another batch holds, and once they have met on a
store, take turns on it for a while (an advisory lock).
"""

from __future__ import annotations

import time
import zlib

from django.db import connections
from django.db.models import OuterRef, Subquery

from shop.platform.events.bus import Store
from shop.platform.events.models import InboxStatus


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


def take_turn(store: Store, *, lock_timeout: float) -> bool:
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
    taking_turns = contention.recent(store.context)
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


class Contention:
    """Which stores' batches met each other's row locks lately, in this process."""

    memory_seconds = 30.0

    def __init__(self) -> None:
        self._until: dict[str, float] = {}

    def seen(self, context: str) -> None:
        self._until[context] = time.monotonic() + self.memory_seconds

    def recent(self, context: str) -> bool:
        return time.monotonic() < self._until.get(context, 0.0)


contention = Contention()


# lock_not_available, deadlock_detected, serialization_failure: another transaction
# was in the way, the handler did nothing wrong.
CONTENTION = {"55P03", "40P01", "40001"}


def contended(error: BaseException | None) -> bool:
    for _ in range(5):  # the driver's error is a cause or two down (Django wraps it)
        if error is None:
            return False
        if getattr(error, "sqlstate", None) in CONTENTION:
            return True
        error = error.__cause__ or error.__context__
    return False


class Contended(Exception):  # noqa: N818 - a signal to end the batch, not an error
    """A handler met rows another transaction holds: commit what is done, retry it soon."""


def first_pending(rows) -> Subquery:
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


class Turns:
    """A row's turn comes once every pending event before it (same handler and aggregate) ran.

    Pending rows of an aggregate form a run of sequences from `first_pending`; a row
    may go when every one of them below it was handled earlier in this batch.
    """

    def __init__(self, next_up: dict | None = None) -> None:
        self.next_up: dict[tuple[str, str, str], int] = dict(next_up or {})

    def copy(self) -> Turns:
        return Turns(self.next_up)

    def due(self, row) -> bool:
        first = row.sequence if row.first_pending is None else row.first_pending
        return row.sequence <= self.next_up.get(aggregate(row), first)

    def handled(self, row) -> None:
        key = aggregate(row)
        self.next_up[key] = max(self.next_up.get(key, row.sequence), row.sequence + 1)


def aggregate(row) -> tuple[str, str, str]:
    return (row.handler, row.source, row.subject)
