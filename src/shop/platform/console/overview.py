"""The events overview: per hosted context, how far behind its outbox and inbox are and
what is dead (`operations.status`, as `manage.py events status` and /metrics read it), the
handlers that fail most, and the dead and parked rows, each one click from its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from shop.platform.console import timeline
from shop.platform.events import operations
from shop.platform.events.bus import bus
from shop.platform.events.models import InboxStatus


@dataclass(frozen=True)
class ContextStatus:
    status: operations.StoreStatus
    outbox_lag_seconds: float
    lag_seconds: float


@dataclass(frozen=True)
class DeadRow:
    row: timeline.HandlerRow
    event_id: str
    event_type: str
    subject: str


@dataclass(frozen=True)
class Overview:
    contexts: list[ContextStatus]
    failing: list[operations.HandlerFailures]
    dead: list[DeadRow]
    dead_shown_limit: int
    elsewhere: dict[str, str | None]
    checked_at: datetime

    @property
    def dead_total(self) -> int:
        return sum(c.status.inbox_dead + c.status.inbox_parked for c in self.contexts)


def gather(*, handlers: int = 10, dead_rows: int = 50) -> Overview:
    now = timezone.now()
    stores = bus.hosted_stores()
    contexts = []
    for store in stores:
        status = operations.status(store)
        oldest = status.outbox_oldest_pending
        contexts.append(
            ContextStatus(
                status=status,
                outbox_lag_seconds=(now - oldest).total_seconds() if oldest else 0.0,
                lag_seconds=status.lag_seconds(now),
            )
        )
    dead = []
    for store in stores:
        rows = (
            store.inbox.objects.using(store.alias)
            .filter(status__in=[InboxStatus.DEAD, InboxStatus.PARKED])
            .defer("envelope")
            .order_by("-id")[:dead_rows]
        )
        dead += [
            DeadRow(
                timeline.handler_row(store, row), str(row.event_id), row.event_type, row.subject
            )
            for row in rows
        ]
    dead.sort(key=lambda d: d.row.failing_since or d.row.received_at, reverse=True)
    return Overview(
        contexts=contexts,
        failing=operations.failing_handlers(stores=stores, limit=handlers),
        dead=dead[:dead_rows],
        dead_shown_limit=dead_rows,
        elsewhere=timeline.elsewhere(),
        checked_at=now,
    )
