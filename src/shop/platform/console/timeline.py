"""One aggregate's story across the contexts: its events, their outbox and inbox rows.

Gathered store by store, and only from the stores this process hosts (`bus.hosted_stores`):
each store's outbox rows about the subject, then its inbox rows about it. An event whose
outbox row is in a store hosted elsewhere (or already purged) still shows, from the
envelope its consumers' inbox rows carry. Nothing here knows a context's saga: what a
saga waits for comes from the contexts' own expectations (`expectations`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from shop.platform import topology
from shop.platform.console import expectations
from shop.platform.events.accepting import UNHANDLED
from shop.platform.events.bus import Store, bus
from shop.platform.events.models import InboxStatus

# An aggregate id as the outbox stores it (`subject`, 64 characters at most): an order's
# UUID, a SKU... The search also takes correlation ids, which are request ids: the
# characters a client's X-Request-ID may have (shop.platform.http.middleware), 128 at most.
SUBJECT = re.compile(r"[A-Za-z0-9._:-]{1,64}")
SEARCHED = re.compile(r"[A-Za-z0-9._:-]{1,128}")
ID_RULE = "letters, digits, '.', '_', ':' and '-'"

RETRYABLE = (InboxStatus.DEAD, InboxStatus.PARKED)


class MalformedId(ValueError):
    """What was asked for cannot be an id the console looks up."""


def subject_id(text: str) -> str:
    if not SUBJECT.fullmatch(text):
        raise MalformedId(
            f"{shown(text)} is not an aggregate id: an order id, a SKU or another event "
            f"subject is 1 to 64 {ID_RULE}"
        )
    return text


def searched_id(text: str) -> str:
    text = text.strip()
    if not SEARCHED.fullmatch(text):
        raise MalformedId(
            f"{shown(text)} is not an order id, event id or correlation id: those are "
            f"1 to 128 {ID_RULE}"
        )
    return text


def shown(text: str, limit: int = 80) -> str:
    """An id as a message quotes it: what was typed, cut short if long."""
    return repr(text if len(text) <= limit else f"{text[: limit - 1]}…")


@dataclass(frozen=True)
class HandlerRow:
    """One consuming handler's inbox row for one event."""

    context: str
    row_id: int
    handler: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    failing_since: datetime | None
    received_at: datetime
    done_at: datetime | None

    @property
    def retryable(self) -> bool:
        return self.status in RETRYABLE

    @property
    def unhandled(self) -> bool:
        """The placeholder of an event nobody in this context handled when it came."""
        return self.handler == UNHANDLED


@dataclass(frozen=True)
class Consumer:
    """A handler the bus subscribes to an event: where its row is, or why none shows."""

    context: str
    handler: str
    row: HandlerRow | None = None
    # The service hosting the context, when it is not this one: its row is not visible here.
    hosted_by: str | None = None


@dataclass
class TimelineEvent:
    event_id: str
    event_type: str
    source: str
    subject: str
    sequence: int
    published_at: datetime | None
    correlation_id: str
    causation_id: str
    # The outbox row, when the publisher's store is hosted here and the row not purged.
    in_outbox: bool = False
    dispatched_at: datetime | None = None
    outbox_attempts: int = 0
    outbox_error: str = ""
    rows: list[HandlerRow] = field(default_factory=list)
    consumers: list[Consumer] = field(default_factory=list)

    @property
    def caused_by_itself(self) -> bool:
        """The first event of a story names itself as its cause."""
        return self.causation_id == self.event_id

    @property
    def waiting_for_relay(self) -> bool:
        return self.in_outbox and self.dispatched_at is None


@dataclass(frozen=True)
class Wait:
    """Something the subject waits for now, generic to every event: the relay, a handler,
    an operator."""

    kind: str  # relay | delivery | handler | retry | operator
    what: str
    since: datetime | None
    event_id: str
    next_attempt_at: datetime | None = None
    detail: str = ""
    row: HandlerRow | None = None


@dataclass
class Timeline:
    subject: str
    events: list[TimelineEvent]
    expected: list[expectations.Expected]
    waits: list[Wait]
    hosted: list[str]
    # Contexts another service hosts: context -> that service's name (or None: no service).
    elsewhere: dict[str, str | None]
    checked_at: datetime

    @property
    def empty(self) -> bool:
        return not self.events and not self.expected

    @property
    def event_ids(self) -> set[str]:
        return {event.event_id for event in self.events}


def gather(subject: str) -> Timeline:
    """Every hosted store's rows about `subject`: one outbox and one inbox query per store."""
    stores = bus.hosted_stores()
    events: dict[str, TimelineEvent] = {}
    for store in stores:
        for row in _outbox(store).filter(subject=subject):
            events[str(row.id)] = _from_outbox(store, row)
    for store in stores:
        for row in _inbox(store).filter(subject=subject):
            entry = events.get(str(row.event_id))
            if entry is None:
                entry = events[str(row.event_id)] = _from_envelope(row)
            entry.rows.append(handler_row(store, row))
    ordered = sorted(events.values(), key=_in_time_order)
    for event in ordered:
        event.consumers = _consumers(event)
    return Timeline(
        subject=subject,
        events=ordered,
        expected=expectations.expected(subject),
        waits=[wait for event in ordered for wait in _waits(event)],
        hosted=[store.context for store in stores],
        elsewhere=elsewhere(),
        checked_at=timezone.now(),
    )


def elsewhere() -> dict[str, str | None]:
    """The contexts with a store that this process does not host, and who hosts them."""
    here = topology.current()
    return {
        context: getattr(here.host_of(context), "name", None)
        for context in bus.stores
        if not here.hosts(context)
    }


@dataclass(frozen=True)
class Found:
    """Where a search leads: one event, one subject, or the subjects of a correlation."""

    kind: str  # event | subject | correlation
    subjects: tuple[str, ...]
    event_id: str | None = None


def find(text: str) -> Found | None:
    """What `text` names, in the hosted stores: an event id (its subject's timeline), a
    subject, or a correlation id (the subjects of its events). None: nothing here."""
    query = searched_id(text)
    stores = bus.hosted_stores()
    event = _uuid(query)
    if event is not None:
        for store in stores:
            subject = _outbox(store).filter(id=event).values_list("subject", flat=True).first()
            if subject is None:
                subject = (
                    _inbox(store).filter(event_id=event).values_list("subject", flat=True).first()
                )
            if subject is not None:
                return Found("event", (subject,), event_id=str(event))
    if SUBJECT.fullmatch(query) and any(_mentions(store, query) for store in stores):
        return Found("subject", (query,))
    subjects: set[str] = set()
    for store in stores:
        subjects |= set(
            _outbox(store)
            .filter(envelope__correlationid=query)
            .values_list("subject", flat=True)
            .distinct()
        )
        subjects |= set(
            _inbox(store)
            .filter(envelope__correlationid=query)
            .values_list("subject", flat=True)
            .distinct()
        )
    subjects.discard("")
    if subjects:
        return Found("correlation", tuple(sorted(subjects)))
    if SUBJECT.fullmatch(query) and expectations.expected(query):
        return Found("subject", (query,))  # its rows are purged, but its saga still waits
    return None


def row_of(store: Store, row_id: int) -> HandlerRow | None:
    row = _inbox(store).filter(id=row_id).first()
    return handler_row(store, row) if row else None


def event_of_row(store: Store, row_id: int) -> TimelineEvent | None:
    """The event one inbox row is about, from its envelope (for the retry's confirmation)."""
    row = _inbox(store).filter(id=row_id).first()
    return _from_envelope(row) if row else None


def _outbox(store: Store):
    return store.outbox.objects.using(store.alias).defer("locked_by", "locked_until")


def _inbox(store: Store):
    return store.inbox.objects.using(store.alias).order_by("id")


def _mentions(store: Store, subject: str) -> bool:
    return (
        _outbox(store).filter(subject=subject).exists()
        or _inbox(store).filter(subject=subject).exists()
    )


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


def _from_outbox(store: Store, row) -> TimelineEvent:
    envelope = row.envelope or {}
    return TimelineEvent(
        event_id=str(row.id),
        event_type=row.event_type,
        source=envelope.get("source") or store.context,
        subject=row.subject,
        sequence=row.sequence,
        published_at=row.created_at,
        correlation_id=str(envelope.get("correlationid") or ""),
        causation_id=str(envelope.get("causationid") or ""),
        in_outbox=True,
        dispatched_at=row.dispatched_at,
        outbox_attempts=row.attempts,
        outbox_error=row.last_error,
    )


def _from_envelope(row) -> TimelineEvent:
    """An event known here only from a consumer's inbox row."""
    envelope = row.envelope or {}
    published = envelope.get("time")
    return TimelineEvent(
        event_id=str(row.event_id),
        event_type=row.event_type,
        source=row.source,
        subject=row.subject,
        sequence=row.sequence,
        published_at=(parse_datetime(published) if isinstance(published, str) else None)
        or row.received_at,
        correlation_id=str(envelope.get("correlationid") or ""),
        causation_id=str(envelope.get("causationid") or ""),
    )


def handler_row(store: Store, row) -> HandlerRow:
    return HandlerRow(
        context=store.context,
        row_id=row.id,
        handler=row.handler,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        failing_since=row.failing_since,
        received_at=row.received_at,
        done_at=row.done_at,
    )


def _in_time_order(event: TimelineEvent):
    return (event.published_at or timezone.now(), event.source, event.sequence, event.event_id)


def _consumers(event: TimelineEvent) -> list[Consumer]:
    """The handlers subscribed to the event, each with its row here, or who hosts it; then
    the rows no subscription names (an "(unhandled)" placeholder, a handler since removed)."""
    here = topology.current()
    rows = {(row.context, row.handler): row for row in event.rows}
    consumers = []
    for sub in bus.subscriptions_to(event.event_type):
        if here.hosts(sub.context):
            consumers.append(
                Consumer(sub.context, sub.name, rows.pop((sub.context, sub.name), None))
            )
        else:
            host = here.host_of(sub.context)
            consumers.append(
                Consumer(
                    sub.context, sub.name, hosted_by=getattr(host, "name", None) or "no service"
                )
            )
    consumers += [Consumer(row.context, row.handler, row) for row in rows.values()]
    return consumers


def _waits(event: TimelineEvent) -> list[Wait]:
    """What the event still waits for: the relay, a delivery, a handler, an operator."""
    waits = []
    if event.waiting_for_relay:
        waits.append(
            Wait(
                "relay",
                f"the relay to dispatch {event.event_type} from {event.source}'s outbox",
                event.published_at,
                event.event_id,
                detail=_first_line(event.outbox_error),
            )
        )
    for consumer in event.consumers:
        row = consumer.row
        if row is None:
            if consumer.hosted_by is None and event.dispatched_at is not None:
                waits.append(
                    Wait(
                        "delivery",
                        f"delivery of {event.event_type} to {consumer.context}'s inbox "
                        f"(for {consumer.handler})",
                        event.dispatched_at,
                        event.event_id,
                    )
                )
            continue
        if row.retryable:
            waits.append(
                Wait(
                    "operator",
                    f"an operator: {row.handler} is {row.status} on {event.event_type}",
                    row.failing_since or row.received_at,
                    event.event_id,
                    detail=_first_line(row.last_error),
                    row=row,
                )
            )
        elif row.status == InboxStatus.PENDING:
            retrying = row.attempts > 0
            waits.append(
                Wait(
                    "retry" if retrying else "handler",
                    f"{row.handler} to {'retry' if retrying else 'handle'} {event.event_type}",
                    row.failing_since if retrying and row.failing_since else row.received_at,
                    event.event_id,
                    next_attempt_at=row.next_attempt_at,
                    detail=_first_line(row.last_error),
                    row=row,
                )
            )
    return waits


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0] if stripped else ""
