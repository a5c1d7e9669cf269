"""Billing's outbox, inbox and event sequences: tables in billing's own store."""

from shop.billing.infrastructure import DATABASE
from shop.platform.events.bus import Store
from shop.platform.events.models import message_tables

OutboxMessage, InboxMessage, SubjectSequence = message_tables("billing", __name__)

STORE = Store(
    context="billing",
    alias=DATABASE,
    outbox=OutboxMessage,
    inbox=InboxMessage,
    sequences=SubjectSequence,
)
