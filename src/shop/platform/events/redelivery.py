"""Redelivery: a dispatched event that never reached a consumer's inbox is sent again.

The Celery transport marks an outbox row dispatched once Redis holds a message for
each consuming context. A message can still be lost after that: kombu's Redis
transport takes a message off its queue and records it as unacknowledged in two
steps, so a worker killed between them loses it; a Redis restarted without its data
loses what it held. So a periodic job looks at the rows dispatched at least
`redeliver_after_seconds` ago that it has not looked at yet, asks each consuming
context's inbox whether the event arrived (any row for it: a handler's, or the
placeholder of an event nobody there handles; a consumer another service hosts is asked
through that service, shop.platform.events.arrivals), and sends it again to the
contexts that have nothing. The inbox ignores a copy of what it has, so a consumer slower than
`redeliver_after_seconds` costs one duplicate message, never a duplicate effect.

Where it got to is kept per store in Redis (the broker this job exists for): each row
is looked at once, and runs missed while beat or Redis were down are caught up, as far
back as `MAX_CATCH_UP`. With no mark (first run, or Redis lost it) a run starts
`lookback()` back. A store whose consumers could not all be asked keeps its mark, so
its rows are looked at again next time. The inline transport writes the inbox rows
before it marks an outbox row dispatched: it has nothing to redeliver.

Recipients are today's subscribers: a context that starts subscribing to a type is
sent the events of that type dispatched shortly before (at most `redeliver_after`
plus one period), which it handles like any other.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Protocol

import structlog
from django.utils import timezone

from shop.platform.events import arrivals
from shop.platform.events.bus import Store, bus
from shop.platform.events.settings import event_settings
from shop.platform.events.transports import transport
from shop.platform.observability import logs

log = structlog.get_logger(__name__)

CHUNK = 500
MAX_CATCH_UP = timedelta(days=1)


def period() -> float:
    """How often the job runs: a quarter of the wait, between 1 s and a minute."""
    return max(1.0, min(60.0, event_settings().redeliver_after_seconds / 4))


def lookback() -> timedelta:
    """How far back a run with no mark looks."""
    return timedelta(seconds=5 * period())


class Marks(Protocol):
    """Per store: up to which dispatch time every row has been looked at."""

    def get(self, context: str) -> datetime | None: ...

    def set(self, context: str, until: datetime) -> None: ...


class RedisMarks:
    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)

    def key(self, context: str) -> str:
        return f"shop:events:redelivery:{context}"

    def get(self, context: str) -> datetime | None:
        value = self.client.get(self.key(context))
        return datetime.fromisoformat(value.decode()) if value else None

    def set(self, context: str, until: datetime) -> None:
        self.client.set(self.key(context), until.isoformat())


_marks: Marks | None = None


def broker_marks() -> Marks:
    global _marks
    if _marks is None:
        from django.conf import settings

        _marks = RedisMarks(settings.CELERY_BROKER_URL)
    return _marks


def redeliver_lost(now: datetime | None = None, marks: Marks | None = None) -> int:
    """Send again every event dispatched since the last look that a consumer has no row for."""
    conf = event_settings()
    if conf.transport == "inline":
        return 0
    marks = broker_marks() if marks is None else marks
    until = (now or timezone.now()) - timedelta(seconds=conf.redeliver_after_seconds)
    sent = 0
    for store in bus.hosted_stores():
        mark = marks.get(store.context)
        since = max(mark or until - lookback(), until - MAX_CATCH_UP)
        if since >= until:
            continue
        moved, complete = _redeliver_from(store, since=since, until=until)
        sent += moved
        if complete:
            marks.set(store.context, until)
    return sent


def _redeliver_from(store: Store, *, since: datetime, until: datetime) -> tuple[int, bool]:
    """Resend what is missing of the rows dispatched in (since, until]; (sent, all asked)."""
    rows = (
        store.outbox.objects.using(store.alias)
        .filter(dispatched_at__gt=since, dispatched_at__lte=until)
        .order_by("dispatched_at")
        .values_list("id", "event_type")
    )
    sent, complete, chunk = 0, True, []
    for row in rows.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            moved, asked = _send_missing(store, chunk)
            sent, complete, chunk = sent + moved, complete and asked, []
    if chunk:
        moved, asked = _send_missing(store, chunk)
        sent, complete = sent + moved, complete and asked
    return sent, complete


def _send_missing(store: Store, rows: list[tuple]) -> tuple[int, bool]:
    wanted: dict[str, set] = defaultdict(set)  # consuming context -> event ids
    for event_id, event_type in rows:
        for context in bus.consumers(event_type):
            wanted[context].add(event_id)
    missing: dict[str, set] = {}
    complete = True
    for context, event_ids in wanted.items():
        try:
            arrived = arrivals.arrived(context, event_ids)
        except Exception:  # its store or its service is down: ask it again next run
            log.exception("could not ask an inbox which events arrived", context=context)
            complete = False
            continue
        if event_ids - arrived:
            missing[context] = event_ids - arrived
    if not missing:
        return 0, complete
    envelopes = dict(
        store.outbox.objects.using(store.alias)
        .filter(id__in=set().union(*missing.values()))
        .values_list("id", "envelope")
    )
    batch = [
        (envelopes[event_id], [context])
        for context, event_ids in missing.items()
        for event_id in event_ids
    ]
    for envelope, to in batch:
        log.warning(
            "redelivering an event that never reached its consumer's inbox",
            **logs.event_fields(envelope, context=to[0]),
        )
    transport().send_batch(batch)
    return len(batch), complete
