"""Translate between shipping's ORM rows and its domain Shipment."""

from __future__ import annotations

from django.db.models import QuerySet

from shop.shipping.domain.shipment import Shipment, ShipmentStatus
from shop.shipping.infrastructure import DATABASE
from shop.shipping.infrastructure.models import ShipmentRecord


def to_domain(row: ShipmentRecord) -> Shipment:
    return Shipment(
        id=row.id,
        order_id=row.order_id,
        customer_id=row.customer_id,
        opened_at=row.opened_at,
        status=ShipmentStatus(row.status),
        dispatched_at=row.dispatched_at,
        delivered_at=row.delivered_at,
    )


def rows() -> QuerySet[ShipmentRecord]:
    return ShipmentRecord.objects.using(DATABASE)


def for_order(order_id: str, *, for_update: bool = False) -> Shipment | None:
    """The order's shipment; `for_update` locks its row until the transaction ends."""
    found = rows().select_for_update() if for_update else rows()
    row = found.filter(order_id=order_id).first()
    return to_domain(row) if row else None


def add(shipment: Shipment) -> None:
    rows().create(
        id=shipment.id,
        order_id=shipment.order_id,
        customer_id=shipment.customer_id,
        status=shipment.status.value,
        opened_at=shipment.opened_at,
    )


def save(shipment: Shipment) -> None:
    rows().filter(id=shipment.id).update(
        status=shipment.status.value,
        dispatched_at=shipment.dispatched_at,
        delivered_at=shipment.delivered_at,
    )
