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

import time

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shop.platform.events.accepting import UNHANDLED, accept, accept_many
from shop.platform.events.budgets import backoff
from shop.platform.events.bus import Store
from shop.platform.events.due import taken
from shop.platform.events.models import InboxStatus
from shop.platform.events.running import redeliver_unhandled, run_in_order
from shop.platform.events.settings import event_settings
from shop.platform.events.turns import first_pending, prefer_index_order, take_turn

__all__ = [
    "UNHANDLED",
    "accept",
    "accept_many",
    "backoff",
    "prefer_index_order",
    "process_due",
    "redeliver_unhandled",
    "take_batch",
]


class BatchSizes:
    """How many rows a store's next batch takes: about what its handlers got through in
    `batch_seconds` lately, so a backlog is not read (and locked) 500 rows at a time to
    handle the few the deadline leaves time for.

    A batch cut short by the deadline sets the size to twice what it handled; one that ran
    every row it took doubles it; never below `floor` nor above the configured limit.
    """

    floor, ceiling = 16, 100_000

    def __init__(self) -> None:
        self._sizes: dict[str, int] = {}

    def size(self, context: str, limit: int) -> int:
        return max(1, min(limit, self._sizes.get(context, limit)))

    def ran(self, context: str, *, taken: int, handled: int, cut: bool) -> None:
        current = self._sizes.get(context, taken)
        if cut:
            self._sizes[context] = max(self.floor, 2 * handled)
        elif taken >= current:
            self._sizes[context] = min(2 * current, self.ceiling)


sizes = BatchSizes()


def process_due(store: Store, *, limit: int | None = None, probe: bool = True) -> int:
    """Handle one batch of due rows; returns how many were handled successfully.

    probe: first ask whether any row is due (one cheap statement, where taking a batch
    costs three); False when the caller knows rows were just written.
    """
    return take_batch(store, limit=limit, probe=probe)[0]


def take_batch(
    store: Store, *, limit: int | None = None, probe: bool = True, adaptive: bool = False
) -> tuple[int, bool]:
    """process_due(), and whether more rows may be due now (a full batch, or one cut short
    by `batch_seconds`). adaptive: take about what fits in `batch_seconds` (BatchSizes),
    as the event worker does; a direct call takes `limit` rows."""
    conf = event_settings()
    limit = limit or conf.batch_size
    if adaptive:
        limit = sizes.size(store.context, limit)
    rows = store.inbox.objects.using(store.alias)
    due = rows.filter(status=InboxStatus.PENDING, next_attempt_at__lte=timezone.now())
    if probe and not due.exists():
        return 0, False  # most stores are idle
    with transaction.atomic(using=store.alias):
        if not take_turn(store, lock_timeout=2 * conf.batch_seconds):
            return 0, False  # another worker is on this inbox now; it takes these rows too
        batch = taken(
            store,
            due.select_for_update(skip_locked=True)
            .annotate(first_pending=first_pending(rows))
            .order_by("next_attempt_at")[:limit],
        )
        if not batch:
            return 0, False
        prefer_index_order(store.alias, False)  # the handlers' queries are planned as usual
        batch.sort(key=lambda row: row.sequence)  # an aggregate's events in one batch, in order
        deadline = time.monotonic() + conf.batch_seconds
        handled = run_in_order(store, batch, deadline=deadline)
        cut = time.monotonic() > deadline
        if adaptive:
            sizes.ran(store.context, taken=len(batch), handled=len(handled), cut=cut)
        if handled:
            rows.filter(id__in=[row.id for row in handled]).update(
                status=InboxStatus.DONE,
                done_at=timezone.now(),
                last_error="",
                attempts=F("attempts") + 1,
            )
    return len(handled), len(batch) >= limit or cut
