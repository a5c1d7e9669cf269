"""Catalog's outbox, inbox and event sequences: tables in catalog's own store."""

from shop.catalog.infrastructure import DATABASE
from shop.platform.events.bus import Store
from shop.platform.events.models import message_tables

OutboxMessage, InboxMessage, SubjectSequence = message_tables("catalog", __name__)

STORE = Store(
    context="catalog",
    alias=DATABASE,
    outbox=OutboxMessage,
    inbox=InboxMessage,
    sequences=SubjectSequence,
)
