"""An order's story written straight into the stores, as the bus would have left it.

`story()` writes an order awaiting payment: ordering's OrderPlaced, handled by inventory
and billing; inventory's StockReserved, handled by ordering, and by billing's charge,
parked dead because the payment provider stayed down.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model

from shop.ordering.infrastructure.models import OrderRecord
from shop.platform.events import bus
from shop.platform.events.models import InboxStatus

MOMENT = datetime(2026, 11, 23, 17, 50, 56, tzinfo=UTC)
CHARGE = "billing.when_inventory_stock_reserved_charge_payment"
DEAD_ERROR = (
    "parked dead, the unavailable budget ran out (SHOP_EVENTS_UNAVAILABLE_SECONDS=600): "
    "retried for 601 s over 9 attempts. Last error: ProviderUnavailable: the payment "
    "provider is unavailable"
)


def envelope(event_id, event_type, subject, sequence, *, correlation, causation, at) -> dict:
    return {
        "id": event_id,
        "type": event_type,
        "source": event_type.split(".")[0],
        "subject": subject,
        "sequence": sequence,
        "time": at.isoformat(),
        "dataversion": 1,
        "data": {"order_id": subject},
        "correlationid": correlation,
        "causationid": causation or event_id,
    }


def published(
    event_type: str,
    subject: str,
    *,
    sequence: int = 1,
    at: datetime = MOMENT,
    dispatched: bool = True,
    correlation: str = "req-story-1",
    causation: str | None = None,
) -> dict:
    """An outbox row in the publisher's store; returns its envelope."""
    event_id = str(uuid.uuid4())
    body = envelope(
        event_id, event_type, subject, sequence, correlation=correlation, causation=causation, at=at
    )
    store = bus.store_of(body["source"])
    store.outbox.objects.using(store.alias).create(
        id=event_id,
        event_type=event_type,
        version=1,
        subject=subject,
        sequence=sequence,
        envelope=body,
        created_at=at,
        dispatched_at=at + timedelta(milliseconds=20) if dispatched else None,
    )
    return body


def received(
    body: dict,
    handler: str,
    *,
    status: str = InboxStatus.DONE,
    attempts: int = 1,
    last_error: str = "",
    at: datetime | None = None,
) -> int:
    """The handler's inbox row for the event, in its context's store; returns its id."""
    at = at or datetime.fromisoformat(body["time"]) + timedelta(milliseconds=50)
    store = bus.store_of(handler.split(".")[0])
    row = store.inbox.objects.using(store.alias).create(
        event_id=body["id"],
        handler=handler,
        event_type=body["type"],
        source=body["source"],
        subject=body["subject"],
        sequence=body["sequence"],
        envelope=body,
        status=status,
        attempts=attempts,
        next_attempt_at=at,
        last_error=last_error,
        failing_since=at if status != InboxStatus.DONE else None,
        received_at=at,
        done_at=at + timedelta(milliseconds=5) if status == InboxStatus.DONE else None,
    )
    return row.id


@dataclass
class Story:
    order_id: str
    placed: dict
    reserved: dict
    dead_row: int


def order(status: str, *, at: datetime = MOMENT) -> str:
    row = OrderRecord.objects.using("ordering").create(
        customer_id=1,
        status=status,
        currency="EUR",
        total_minor=1250,
        payment_token="tok_visa",  # noqa: S106 - a fake provider token
        placed_at=at,
    )
    return str(row.id)


@pytest.fixture
def story() -> Story:
    order_id = order("awaiting_payment")
    placed = published("ordering.OrderPlaced", order_id)
    received(placed, "inventory.when_ordering_order_placed_reserve_stock")
    received(placed, "billing.when_ordering_order_placed_issue_invoice")
    reserved = published(
        "inventory.StockReserved",
        order_id,
        at=MOMENT + timedelta(seconds=1),
        causation=placed["id"],
    )
    received(reserved, "ordering.when_inventory_stock_reserved_await_payment")
    dead = received(reserved, CHARGE, status=InboxStatus.DEAD, attempts=9, last_error=DEAD_ERROR)
    return Story(order_id, placed, reserved, dead)


@pytest.fixture
def staff(client):
    """A signed-in superuser: every console page, and every retry."""
    client.force_login(get_user_model().objects.create_superuser("operator", password=None))
    return client
