"""What operators ask of the event bus: how far behind, what is dead, retry it, purge done rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.db.models import Count, Min, Q
from django.utils import timezone

from shop.platform.events import inbox
from shop.platform.events.bus import Store, bus
from shop.platform.events.models import InboxStatus
from shop.platform.events.settings import event_settings


@dataclass(frozen=True)
class StoreStatus:
    context: str
    outbox_pending: int
    outbox_oldest_pending: datetime | None
    inbox_pending: int
    inbox_oldest_pending: datetime | None
    inbox_dead: int
    inbox_parked: int

    def lag_seconds(self, now: datetime | None = None) -> float:
        """Age of the oldest event not yet dispatched or handled (0 when none)."""
        now = now or timezone.now()
        oldest = [t for t in (self.outbox_oldest_pending, self.inbox_oldest_pending) if t]
        return max(((now - t).total_seconds() for t in oldest), default=0.0)


def status(store: Store) -> StoreStatus:
    outbox = (
        store.outbox.objects.using(store.alias)
        .filter(dispatched_at__isnull=True)
        .aggregate(pending=Count("id"), oldest=Min("created_at"))
    )
    inbox = store.inbox.objects.using(store.alias).aggregate(
        pending=Count("id", filter=Q(status=InboxStatus.PENDING)),
        oldest=Min("received_at", filter=Q(status=InboxStatus.PENDING)),
        dead=Count("id", filter=Q(status=InboxStatus.DEAD)),
        parked=Count("id", filter=Q(status=InboxStatus.PARKED)),
    )
    return StoreStatus(
        context=store.context,
        outbox_pending=outbox["pending"],
        outbox_oldest_pending=outbox["oldest"],
        inbox_pending=inbox["pending"],
        inbox_oldest_pending=inbox["oldest"],
        inbox_dead=inbox["dead"],
        inbox_parked=inbox["parked"],
    )


def retry(
    *, event_id: UUID | None = None, dead: bool = False, stores: list[Store] | None = None
) -> int:
    """Make dead (and parked) inbox rows due again: all of them, or those of one event."""
    if event_id is None and not dead:
        raise ValueError("name an event id, or ask for every dead row")
    count = 0
    for store in stores or bus.hosted_stores():
        rows = store.inbox.objects.using(store.alias).filter(
            status__in=[InboxStatus.DEAD, InboxStatus.PARKED]
        )
        if event_id is not None:
            rows = rows.filter(event_id=event_id)
        for placeholder in rows.filter(handler=inbox.UNHANDLED):
            # Nobody handled this type when it came: give it to today's handlers, if any.
            if inbox.redeliver_unhandled(store, placeholder):
                placeholder.status = InboxStatus.DONE
                placeholder.save(update_fields=["status"])
                count += 1
        count += rows.exclude(handler=inbox.UNHANDLED).update(**revived())
    return count


def retry_row(store: Store, row_id: int) -> int:
    """Make one dead or parked inbox row of `store` due again, as `retry` does for an event's
    rows; 1 if it was dead or parked (an "(unhandled)" placeholder: if a handler now takes
    it), else 0."""
    rows = store.inbox.objects.using(store.alias).filter(
        id=row_id, status__in=[InboxStatus.DEAD, InboxStatus.PARKED]
    )
    placeholder = rows.filter(handler=inbox.UNHANDLED).first()
    if placeholder is None:
        return rows.update(**revived())
    if not inbox.redeliver_unhandled(store, placeholder):
        return 0
    placeholder.status = InboxStatus.DONE
    placeholder.save(update_fields=["status"])
    return 1


@dataclass(frozen=True)
class HandlerFailures:
    """One handler's rows that are failing now: dead, parked, or pending after a failure."""

    context: str
    handler: str
    dead: int
    parked: int
    retrying: int
    failing_since: datetime | None

    @property
    def total(self) -> int:
        return self.dead + self.parked + self.retrying


def failing_handlers(
    *, stores: list[Store] | None = None, limit: int = 10
) -> list[HandlerFailures]:
    """The handlers with the most failing rows, most first (one query per store).

    A done row counts no more, however many attempts it took: only what waits now.
    """
    failing = []
    for store in stores or bus.hosted_stores():
        groups = (
            store.inbox.objects.using(store.alias)
            .filter(
                Q(status__in=[InboxStatus.DEAD, InboxStatus.PARKED])
                | Q(status=InboxStatus.PENDING, attempts__gt=0)
            )
            .values("handler")
            .annotate(
                dead=Count("id", filter=Q(status=InboxStatus.DEAD)),
                parked=Count("id", filter=Q(status=InboxStatus.PARKED)),
                retrying=Count("id", filter=Q(status=InboxStatus.PENDING)),
                since=Min("failing_since"),
            )
            .order_by()
        )
        failing += [
            HandlerFailures(
                context=store.context,
                handler=group["handler"],
                dead=group["dead"],
                parked=group["parked"],
                retrying=group["retrying"],
                failing_since=group["since"],
            )
            for group in groups
        ]
    failing.sort(key=lambda f: (-f.total, -f.dead, f.context, f.handler))
    return failing[:limit]


def revived() -> dict:
    """The fields of a dead or parked row made due again: every retry budget starts afresh."""
    return {
        "status": InboxStatus.PENDING,
        "attempts": 0,
        "failing_since": None,
        "next_attempt_at": timezone.now(),
    }


def purge(*, older_than: timedelta, stores: list[Store] | None = None) -> dict[str, int]:
    """Delete dispatched outbox rows and done inbox rows older than `older_than`.

    Dead and parked rows stay until an operator retries or inspects them; the
    sequence counters stay too, so an aggregate's numbering never restarts.
    """
    cutoff = timezone.now() - older_than
    purged = {}
    for store in stores or bus.hosted_stores():
        outbox, _ = (
            store.outbox.objects.using(store.alias).filter(dispatched_at__lt=cutoff).delete()
        )
        inbox, _ = (
            store.inbox.objects.using(store.alias)
            .filter(status=InboxStatus.DONE, done_at__lt=cutoff)
            .delete()
        )
        purged[store.context] = outbox + inbox
    return purged


def purge_expired() -> dict[str, int]:
    """The scheduled purge: everything done for longer than the retention period."""
    return purge(older_than=timedelta(days=event_settings().retention_days))
