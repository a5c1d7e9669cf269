"""Writing envelopes into an inbox: one row per (event, handler), written once.

An event nobody here handles (an unknown type or version) gets one parked "(unhandled)"
row for an operator, never an error: a newer publisher must not crash an older consumer.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connections

from shop.platform.events import known
from shop.platform.events.bus import Store, bus
from shop.platform.events.models import InboxStatus

UNHANDLED = "(unhandled)"


def accept(envelope: dict[str, Any], context: str) -> None:
    """Write the envelope into `context`'s inbox once per handler (again: no new rows)."""
    accept_many([envelope], context)


def accept_many(envelopes: Iterable[dict[str, Any]], context: str) -> None:
    store = bus.store_of(context)
    rows = [row for envelope in envelopes for row in rows_for(store, envelope)]
    insert_new(store, rows)
    if rows:
        known.inboxes.mark(context)  # this process's inline worker handles them next


def rows_for(store: Store, envelope: dict[str, Any]) -> list[dict[str, Any]]:
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


def insert_new(store: Store, rows: list[dict[str, Any]]) -> None:
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
