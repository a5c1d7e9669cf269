"""The relay: claim undispatched outbox rows, hand them to the transport, mark them dispatched.

Claims are leases: a relay that dies mid-batch holds its rows only until the lease
expires, then another relay takes them (delivery is at-least-once; inboxes make the
effect exactly-once). On PostgreSQL claiming uses FOR UPDATE SKIP LOCKED so relays
running side by side never wait on or take each other's rows; on SQLite the store's
single writer gives the same guarantee. An event is claimed only together with, or
after, every earlier undispatched event of its aggregate, so events leave in
`sequence` order. Rows are never polled by `id > last_id`: ids are UUIDs and commits
land out of order.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

import structlog
from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from shop.platform.events.bus import Store, bus
from shop.platform.events.inbox import backoff, prefer_index_order
from shop.platform.events.settings import event_settings
from shop.platform.events.transports import transport
from shop.platform.observability import logs

log = structlog.get_logger(__name__)

RELAY_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Claimed:
    """An outbox row this relay holds a lease on: what the transport needs to send it."""

    id: uuid.UUID
    event_type: str
    subject: str
    sequence: int
    envelope: dict
    created_at: datetime
    attempts: int
    first_pending: int | None  # lowest undispatched sequence of the aggregate


# How many pages of candidates one claim looks at when the oldest ones must wait.
CLAIM_PAGES = 4


def claim(store: Store, *, limit: int, owner: str = RELAY_ID, probe: bool = True) -> list[Claimed]:
    """Lease up to `limit` of the oldest undispatched rows that may leave now.

    Candidates come oldest first from the pending index, skipping rows another
    relay holds (lease or row lock). A candidate is kept only if every earlier
    undispatched event of its aggregate is in this claim too: an aggregate's run of
    events may leave in one batch, but never ahead of an event held elsewhere.
    """
    conf = event_settings()
    now = timezone.now()
    rows = store.outbox.objects.using(store.alias)
    unclaimed = rows.filter(dispatched_at__isnull=True).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    )
    if probe and not unclaimed.exists():
        return []  # one round trip, where a claim costs three: most outboxes are empty
    free = (
        unclaimed.select_for_update(skip_locked=True)
        .annotate(
            first_pending=Subquery(
                rows.filter(subject=OuterRef("subject"), dispatched_at__isnull=True)
                .order_by("sequence")
                .values("sequence")[:1]
            )
        )
        .order_by("created_at", "id")
        .values_list(*(field.name for field in fields(Claimed)))
    )
    with transaction.atomic(using=store.alias):
        prefer_index_order(store.alias)
        claimed: list[Claimed] = []
        next_up: dict[str, int] = {}
        after = Q()
        for _ in range(CLAIM_PAGES):
            page = [Claimed(*values) for values in free.filter(after)[:limit]]
            claimed += _free_to_leave(page, next_up)
            if len(page) < limit or len(claimed) >= limit:
                break
            # The rest of this page waits behind events held elsewhere: look further back.
            last = page[-1]
            after = Q(created_at__gt=last.created_at) | Q(
                created_at=last.created_at, id__gt=last.id
            )
        claimed = claimed[:limit]
        if claimed:
            rows.filter(id__in=[row.id for row in claimed]).update(
                locked_by=owner, locked_until=now + timedelta(seconds=conf.lease_seconds)
            )
    return claimed


def _free_to_leave(page: list[Claimed], next_up: dict[str, int]) -> list[Claimed]:
    """The candidates whose aggregate's earlier undispatched events are all claimed.

    An aggregate's undispatched events are the sequences from `first_pending` up,
    since they leave in order; `next_up` is, per aggregate, the first one not claimed.
    """
    free = set()
    for row in sorted(page, key=lambda row: (row.subject, row.sequence)):
        first = row.sequence if row.first_pending is None else row.first_pending
        if row.sequence <= next_up.get(row.subject, first):
            next_up[row.subject] = row.sequence + 1
            free.add(row.id)
    return [row for row in page if row.id in free]


def relay(
    store: Store, *, limit: int | None = None, owner: str = RELAY_ID, probe: bool = True
) -> int:
    """Dispatch one batch from `store`'s outbox; returns how many rows were dispatched.

    probe: first ask whether any row waits (see `claim`); False when the caller knows.
    """
    batch = claim(store, limit=limit or event_settings().batch_size, owner=owner, probe=probe)
    if not batch:
        return 0
    rows = store.outbox.objects.using(store.alias).filter(
        id__in=[row.id for row in batch], locked_by=owner
    )
    try:
        transport().send_batch([(row.envelope, bus.consumers(row.event_type)) for row in batch])
    except Exception as exc:  # broker or a consumer store down: try again after a backoff
        attempts = max(row.attempts for row in batch) + 1
        rows.update(
            attempts=F("attempts") + 1,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            locked_until=timezone.now() + backoff(attempts),
        )
        log.warning(
            "relay failed",
            attempts=attempts,
            error=f"{type(exc).__name__}: {exc}",
            **logs.batch_fields([row.envelope for row in batch], context=store.context),
        )
        return 0
    return rows.update(dispatched_at=timezone.now(), locked_until=None, last_error="")
