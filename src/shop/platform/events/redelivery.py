"""Redelivery: a dispatched event that never reached a consumer's inbox is sent again.

The Celery transport marks an outbox row dispatched once Redis holds a message for
each consuming context. A message can still be lost after that: kombu's Redis
transport takes a message off its queue and records it as unacknowledged in two
steps, so a worker killed between them loses it; a Redis restarted without its data
loses what it held. So a periodic job looks at the rows dispatched about
`redeliver_after_seconds` ago, asks each consuming context's inbox whether the event
arrived (any row for it: a handler's, or the placeholder of an event nobody there
handles), and sends it again to the contexts that have nothing. The inbox ignores a
copy of what it has, so a consumer slower than `redeliver_after_seconds` costs a
duplicate message, never a duplicate effect.

Each run looks at the rows dispatched in a window `lookback` wide ending
`redeliver_after_seconds` ago; runs come every `period` (a fifth of the window), so
each row is looked at several times and a few missed runs lose nothing. The inline
transport writes the inbox rows before it marks a row dispatched: nothing to redeliver.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.utils import timezone

from shop.platform.events.bus import Store, bus
from shop.platform.events.settings import event_settings

log = logging.getLogger(__name__)

CHUNK = 500


def period() -> float:
    """How often the job runs: a quarter of the wait, between 1 s and a minute."""
    return max(1.0, min(60.0, event_settings().redeliver_after_seconds / 4))


def lookback() -> timedelta:
    return timedelta(seconds=5 * period())


def redeliver_lost(now: datetime | None = None) -> int:
    """Send again every recently dispatched event a consumer has no inbox row for."""
    conf = event_settings()
    if conf.transport == "inline":
        return 0
    until = (now or timezone.now()) - timedelta(seconds=conf.redeliver_after_seconds)
    sent = 0
    for store in bus.stores.values():
        sent += _redeliver_from(store, since=until - lookback(), until=until)
    return sent


def _redeliver_from(store: Store, *, since: datetime, until: datetime) -> int:
    from shop.platform.events.relay import consumers
    from shop.platform.events.transports import transport

    rows = (
        store.outbox.objects.using(store.alias)
        .filter(dispatched_at__gt=since, dispatched_at__lte=until)
        .order_by("dispatched_at")
        .values_list("id", "event_type", "envelope")
    )
    sent = 0
    chunk: list[tuple] = []
    for row in rows.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) == CHUNK:
            sent += _send_missing(chunk, consumers, transport())
            chunk = []
    if chunk:
        sent += _send_missing(chunk, consumers, transport())
    return sent


def _send_missing(rows: list[tuple], consumers, sender) -> int:
    wanted: dict[str, dict] = defaultdict(dict)  # consuming context -> {event id: envelope}
    for event_id, event_type, envelope in rows:
        for context in consumers(event_type):
            wanted[context][event_id] = envelope
    batch = []
    for context, envelopes in wanted.items():
        inbox = bus.store_of(context)
        arrived = set(
            inbox.inbox.objects.using(inbox.alias)
            .filter(event_id__in=list(envelopes))
            .values_list("event_id", flat=True)
            .distinct()
        )
        batch += [
            (env, [context]) for event_id, env in envelopes.items() if event_id not in arrived
        ]
    if batch:
        log.warning(
            "redelivering %d events that never reached their consumer's inbox: %s",
            len(batch),
            ", ".join(sorted({f"{env['type']} -> {ctx[0]}" for env, ctx in batch})),
        )
        sender.send_batch(batch)
    return len(batch)
