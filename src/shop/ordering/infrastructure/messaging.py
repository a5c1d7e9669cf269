"""Ordering's outbox, inbox and event sequences: tables in ordering's own store."""

from shop.ordering.infrastructure import DATABASE
from shop.platform.events.bus import Store
from shop.platform.events.models import message_tables

OutboxMessage, InboxMessage, SubjectSequence = message_tables("ordering", __name__)

STORE = Store(
    context="ordering",
    alias=DATABASE,
    outbox=OutboxMessage,
    inbox=InboxMessage,
    sequences=SubjectSequence,
)
