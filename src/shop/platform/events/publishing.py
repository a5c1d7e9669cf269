"""publish(): write an event into the publishing context's outbox, in its transaction.

The event is committed with the change that caused it or not at all. After the
commit the relay is nudged; if the process dies first, the sweep finds the row.
"""

from __future__ import annotations

import functools
from typing import Any

from django.db import connections, transaction

from shop.platform.events import envelope as envelopes
from shop.platform.events.bus import bus
from shop.platform.events.tracing import current_causation
from shop.platform.observability.tracing import current_traceparent


class PublishOutsideTransaction(RuntimeError):
    """publish() was called with no open transaction on the publisher's store."""


def publish(event: Any) -> dict[str, Any]:
    store = bus.store_of(event.source)
    if not connections[store.alias].in_atomic_block:
        raise PublishOutsideTransaction(
            f"publish({event.event_type}) needs an open transaction on the {store.alias!r} "
            "store, so the event commits with the change it reports"
        )
    sequence = _next_sequence(store, event.subject)
    cause = current_causation()
    envelope = envelopes.build(
        event,
        sequence=sequence,
        correlation_id=cause.correlation_id,
        causation_id=cause.event_id,
        traceparent=current_traceparent() or cause.traceparent,
    )
    store.outbox.objects.using(store.alias).create(
        id=envelope["id"],
        event_type=event.event_type,
        version=event.version,
        subject=event.subject,
        sequence=sequence,
        envelope=envelope,
    )
    from shop.platform.events.worker import nudge

    transaction.on_commit(functools.partial(nudge, store.context), using=store.alias)
    return envelope


def _next_sequence(store, subject: str) -> int:
    """Bump the aggregate's counter in one statement (an upsert, on PostgreSQL and SQLite).

    The upsert holds the counter row's lock until the publishing transaction ends, so
    a concurrent publisher for the same aggregate waits and takes the next number:
    sequence order is commit order, which the relay's ordering relies on.
    """
    with connections[store.alias].cursor() as cursor:
        cursor.execute(_bump_sql(store), [subject])
        return cursor.fetchone()[0]


@functools.cache
def _bump_sql(store) -> str:
    quote = connections[store.alias].ops.quote_name
    table, subject, last = (
        quote(store.sequences._meta.db_table),
        quote("subject"),
        quote("last"),
    )
    return (
        f"INSERT INTO {table} AS counter ({subject}, {last}) VALUES (%s, 1) "  # noqa: S608 - no input
        f"ON CONFLICT ({subject}) DO UPDATE SET {last} = counter.{last} + 1 RETURNING {last}"
    )
