"""Outbox, inbox and per-aggregate sequence tables: abstract here, concrete in each context.

Each context declares its own concrete subclasses (``<context>_outbox``...) so the
rows live in that context's store, are migrated with it, and move with it when
the context is extracted.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """An event committed with the change that caused it, waiting to be handed on."""

    id = models.UUIDField(primary_key=True)
    event_type = models.CharField(max_length=100)
    version = models.PositiveSmallIntegerField()
    subject = models.CharField(max_length=64)
    sequence = models.PositiveIntegerField()
    envelope = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # A relay's claim: until `locked_until` no other relay takes the row.
    locked_by = models.CharField(max_length=64, blank=True, default="")
    locked_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.event_type} #{self.sequence} of {self.subject}"

    @classmethod
    def constraints_for(cls, label: str) -> list:
        return [
            models.UniqueConstraint(
                fields=["subject", "sequence"], name=f"{label}_outbox_sequence"
            ),
        ]

    @classmethod
    def indexes_for(cls, label: str) -> list:
        # Partial: only rows still to dispatch are indexed, so done rows cost nothing.
        return [
            models.Index(
                fields=["created_at"],
                name=f"{label}_outbox_pending",
                condition=Q(dispatched_at__isnull=True),
            ),
            models.Index(fields=["dispatched_at"], name=f"{label}_outbox_dispatched"),
        ]


class InboxStatus(models.TextChoices):
    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"
    PARKED = "parked"


class InboxMessage(models.Model):
    """One event for one handler: written on delivery, marked done with the handler's effect."""

    event_id = models.UUIDField()
    handler = models.CharField(max_length=200)
    event_type = models.CharField(max_length=100)
    source = models.CharField(max_length=50)
    subject = models.CharField(max_length=64)
    sequence = models.PositiveIntegerField()
    envelope = models.JSONField()
    status = models.CharField(
        max_length=8, choices=InboxStatus.choices, default=InboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True, default="")
    # When the current run of retries began (its first failure, or since an operator
    # retried it): the start of the "not yet" and "unavailable" budgets.
    failing_since = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.event_type} #{self.sequence} of {self.subject} for {self.handler}"

    @property
    def context(self) -> str:
        """The consuming context whose inbox holds the row."""
        return self._meta.app_label

    @classmethod
    def constraints_for(cls, label: str) -> list:
        return [models.UniqueConstraint(fields=["event_id", "handler"], name=f"{label}_inbox_once")]

    @classmethod
    def indexes_for(cls, label: str) -> list:
        return [
            models.Index(
                fields=["next_attempt_at"],
                name=f"{label}_inbox_due",
                condition=Q(status="pending"),
            ),
            models.Index(
                fields=["handler", "source", "subject", "sequence"],
                name=f"{label}_inbox_order",
                condition=Q(status="pending"),
            ),
            models.Index(fields=["status", "done_at"], name=f"{label}_inbox_status"),
        ]


class SubjectSequence(models.Model):
    """The last sequence number given to an aggregate's events (survives outbox purges)."""

    subject = models.CharField(max_length=64, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.subject}: {self.last}"


def message_tables(module: str) -> tuple[type, type, type]:
    """The concrete outbox, inbox and sequence models of the context `module` is in.

    Called once from the context's infrastructure (`message_tables(__name__)`); the
    tables are named after the context's app label. Django discovers the models through
    the context's models.py like any others, and migrates them with it.
    """
    config = apps.get_containing_app_config(module)
    if config is None:
        raise LookupError(f"{module} belongs to no installed app")
    context = config.label

    def concrete(base: type, name: str, table: str, constraints=(), indexes=()) -> type:
        meta = type(
            "Meta",
            (),
            {
                "db_table": f"{context}_{table}",
                "app_label": context,
                "constraints": list(constraints),
                "indexes": list(indexes),
                "verbose_name": f"{context} {table.replace('_', ' ')}",
            },
        )
        return type(name, (base,), {"__module__": module, "Meta": meta})

    outbox = concrete(
        OutboxMessage,
        "OutboxMessage",
        "outbox",
        OutboxMessage.constraints_for(context),
        OutboxMessage.indexes_for(context),
    )
    inbox = concrete(
        InboxMessage,
        "InboxMessage",
        "inbox",
        InboxMessage.constraints_for(context),
        InboxMessage.indexes_for(context),
    )
    sequences = concrete(SubjectSequence, "SubjectSequence", "event_sequence")
    return outbox, inbox, sequences
