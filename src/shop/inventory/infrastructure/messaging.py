"""Inventory's outbox, inbox and event sequences: tables in inventory's own store."""

from shop.inventory.infrastructure import DATABASE
from shop.platform.events.bus import Store
from shop.platform.events.models import message_tables

OutboxMessage, InboxMessage, SubjectSequence = message_tables("inventory", __name__)

STORE = Store(
    context="inventory",
    alias=DATABASE,
    outbox=OutboxMessage,
    inbox=InboxMessage,
    sequences=SubjectSequence,
)
