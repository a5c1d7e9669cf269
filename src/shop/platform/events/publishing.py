"""publish(): write an event into the publishing context's outbox, in its transaction.

The event is committed with the change that caused it or not at all. After the
commit the relay is nudged; if the process dies first, the sweep finds the row. On
PostgreSQL the aggregate's sequence number and the outbox row are written in one
statement; an event nobody subscribes to is written already dispatched.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from shop.platform.events import envelope as envelopes
from shop.platform.events.bus import bus
from shop.platform.events.tracing import current_causation
from shop.platform.observability.tracing import current_traceparent


class PublishOutsideTransaction(RuntimeError):
    """publish() was called with no open transaction on the publisher's store."""


def publish(event: Any) -> dict[str, Any]:
    store = bus.store_of(event.source)
    connection = connections[store.alias]
    if not connection.in_atomic_block:
        raise PublishOutsideTransaction(
            f"publish({event.event_type}) needs an open transaction on the {store.alias!r} "
            "store, so the event commits with the change it reports"
        )
    cause = current_causation()
    envelope = envelopes.build(
        event,
        sequence=0,  # the aggregate's next number, taken in the statement that stores it
        correlation_id=cause.correlation_id,
        causation_id=cause.event_id,
        traceparent=current_traceparent() or cause.traceparent,
    )
    # An event no context subscribes to is kept (the outbox is the audit trail, and
    # sequence numbers stay whole) but has nowhere to go: dispatched as it is written,
    # never claimed, never relayed. Subscribers are the same in every process of a
    # release (every context's wiring is loaded everywhere, hosted or not).
    now = timezone.now()
    dispatched_at = None if bus.consumers(event.event_type) else now
    if connection.vendor == "postgresql":
        envelope["sequence"] = _store_numbered(store, event, envelope, now, dispatched_at)
    else:
        envelope["sequence"] = _next_sequence(store, event.subject)
        store.outbox.objects.using(store.alias).create(
            id=envelope["id"],
            event_type=event.event_type,
            version=event.version,
            subject=event.subject,
            sequence=envelope["sequence"],
            envelope=envelope,
            created_at=now,
            dispatched_at=dispatched_at,
        )
    if dispatched_at is None:
        from shop.platform.events.worker import nudge

        transaction.on_commit(functools.partial(nudge, store.context), using=store.alias)
    return envelope


def _store_numbered(store, event, envelope: dict, now, dispatched_at) -> int:
    """PostgreSQL: bump the aggregate's counter and write the outbox row in one statement.

    The envelope's `sequence` is set by the server from the counter (the row's column and
    the JSON agree by construction); returns it.
    """
    with connections[store.alias].cursor() as cursor:
        cursor.execute(
            _numbered_insert_sql(store),
            [
                event.subject,
                envelope["id"],
                event.event_type,
                event.version,
                event.subject,
                json.dumps(envelope),
                now,
                dispatched_at,
            ],
        )
        return cursor.fetchone()[0]


@functools.cache
def _numbered_insert_sql(store) -> str:
    quote = connections[store.alias].ops.quote_name
    counter_table = quote(store.sequences._meta.db_table)
    outbox_table = quote(store.outbox._meta.db_table)
    subject, last = quote("subject"), quote("last")
    columns = ", ".join(
        quote(name)
        for name in (
            "id",
            "event_type",
            "version",
            "subject",
            "sequence",
            "envelope",
            "created_at",
            "dispatched_at",
            "locked_by",
            "locked_until",
            "attempts",
            "last_error",
        )
    )
    return (
        f"WITH bumped AS (INSERT INTO {counter_table} AS counter ({subject}, {last}) "  # noqa: S608 - no input
        f"VALUES (%s, 1) ON CONFLICT ({subject}) DO UPDATE SET {last} = counter.{last} + 1 "
        f"RETURNING {last}) "
        f"INSERT INTO {outbox_table} ({columns}) "
        f"SELECT %s, %s, %s, %s, bumped.{last}, "
        f"jsonb_set(%s::jsonb, '{{sequence}}', to_jsonb(bumped.{last})), %s, %s, '', NULL, 0, '' "
        f"FROM bumped RETURNING {quote('sequence')}"
    )


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
