"""Ordering's outbox, inbox and event sequences: tables in ordering's own store."""

from shop.platform.events.models import message_tables

OutboxMessage, InboxMessage, SubjectSequence = message_tables(__name__)
