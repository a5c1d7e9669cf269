"""Shipment: the aggregate of shipping, one per confirmed order (docs/contexts/shipping.md).

    pending --dispatch--> dispatched --deliver--> delivered

The status moves only along TRANSITIONS; every other move raises ShipmentError, so a
shipment is dispatched once, delivered once, and never delivered before it left. Its times
follow its status: `dispatched_at` is set from dispatch on, `delivered_at` on delivery.
A Shipment is a frozen value: a method returns the changed shipment together with what
happened (a domain event, in shipping's own terms) and leaves the old one as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID


class ShipmentStatus(StrEnum):
    PENDING = "pending"
    DISPATCHED = "dispatched"
    DELIVERED = "delivered"


TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    ShipmentStatus.PENDING: frozenset({ShipmentStatus.DISPATCHED}),
    ShipmentStatus.DISPATCHED: frozenset({ShipmentStatus.DELIVERED}),
    ShipmentStatus.DELIVERED: frozenset(),
}


class ShipmentError(ValueError):
    """A change the rules of a shipment refuse."""


@dataclass(frozen=True)
class Dispatched:
    """Domain event: the carrier took the shipment."""

    shipment_id: UUID
    order_id: str
    at: datetime


@dataclass(frozen=True)
class Delivered:
    """Domain event: the customer has the shipment."""

    shipment_id: UUID
    order_id: str
    at: datetime


@dataclass(frozen=True)
class Shipment:
    id: UUID
    order_id: str
    customer_id: int
    opened_at: datetime
    status: ShipmentStatus = ShipmentStatus.PENDING
    dispatched_at: datetime | None = None
    delivered_at: datetime | None = None

    @classmethod
    def open(cls, *, id: UUID, order_id: str, customer_id: int, opened_at: datetime) -> Shipment:
        """A pending shipment for a confirmed order."""
        if not order_id.strip():
            raise ShipmentError("a shipment belongs to an order: order_id is blank")
        return cls(id=id, order_id=order_id, customer_id=customer_id, opened_at=opened_at)

    def dispatch(self, *, at: datetime) -> tuple[Shipment, Dispatched]:
        self._may_become(ShipmentStatus.DISPATCHED)
        dispatched = replace(self, status=ShipmentStatus.DISPATCHED, dispatched_at=at)
        return dispatched, Dispatched(shipment_id=self.id, order_id=self.order_id, at=at)

    def deliver(self, *, at: datetime) -> tuple[Shipment, Delivered]:
        self._may_become(ShipmentStatus.DELIVERED)
        delivered = replace(self, status=ShipmentStatus.DELIVERED, delivered_at=at)
        return delivered, Delivered(shipment_id=self.id, order_id=self.order_id, at=at)

    def _may_become(self, wanted: ShipmentStatus) -> None:
        if wanted not in TRANSITIONS[self.status]:
            raise ShipmentError(f"shipment {self.id} is {self.status}: it cannot become {wanted}")
