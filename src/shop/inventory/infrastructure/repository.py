"""Translate between inventory's ORM rows and its domain objects."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from shop.inventory.domain.reservation import Reservation, ReservationLine, ReservationStatus
from shop.inventory.domain.stock import StockItem
from shop.inventory.infrastructure import DATABASE
from shop.inventory.infrastructure.models import (
    ReservationLineRecord,
    ReservationRecord,
    StockItemRecord,
)
from shop.platform.db.children import children_json, loaded


def rows() -> QuerySet[StockItemRecord]:
    return StockItemRecord.objects.using(DATABASE)


def to_domain(row: StockItemRecord) -> StockItem:
    return StockItem(sku=row.sku, on_hand=row.on_hand, reserved=row.reserved)


def get(sku: str, *, for_update: bool = False) -> StockItem | None:
    query = rows().select_for_update() if for_update else rows()
    row = query.filter(sku=sku).first()
    return to_domain(row) if row else None


def save(item: StockItem) -> None:
    save_many([item])


def lock_many(skus: list[str]) -> dict[str, StockItem]:
    """Lock the stock rows of `skus` in sku order (a fixed order, so no deadlocks)."""
    locked = rows().select_for_update().filter(sku__in=sorted(set(skus))).order_by("sku")
    return {row.sku: to_domain(row) for row in locked}


def save_many(items: list[StockItem]) -> None:
    """Insert or update every row in one statement (INSERT ... ON CONFLICT (sku) DO UPDATE).

    One round trip, where update_or_create costs four (savepoint, select, write, release)
    per item; and two writers creating one sku cannot collide.
    """
    rows().bulk_create(
        [
            StockItemRecord(sku=item.sku, on_hand=item.on_hand, reserved=item.reserved)
            for item in sorted(items, key=lambda item: item.sku)  # lock order: sku
        ],
        update_conflicts=True,
        unique_fields=["sku"],
        update_fields=["on_hand", "reserved", "updated_at"],
    )


def reservation(order_id: str, *, for_update: bool = False) -> Reservation | None:
    """The reservation and its lines in one statement (locking the reservation's row only)."""
    lines = children_json(
        DATABASE,
        ReservationRecord,
        ReservationLineRecord,
        key="reservation",
        columns=["sku", "quantity"],
        order="id",
    )
    query = ReservationRecord.objects.using(DATABASE).annotate(lines_json=lines)
    if for_update:
        query = query.select_for_update()
    row = query.filter(order_id=order_id).first()
    if row is None:
        return None
    return Reservation(
        order_id=row.order_id,
        lines=tuple(ReservationLine(sku, quantity) for sku, quantity in loaded(row.lines_json)),
        status=ReservationStatus(row.status),
    )


def add_reservation(reservation: Reservation) -> None:
    row = ReservationRecord.objects.using(DATABASE).create(
        order_id=reservation.order_id, status=reservation.status
    )
    ReservationLineRecord.objects.using(DATABASE).bulk_create(
        ReservationLineRecord(reservation=row, sku=line.sku, quantity=line.quantity)
        for line in reservation.lines
    )


def save_reservation_status(reservation: Reservation) -> None:
    ReservationRecord.objects.using(DATABASE).filter(order_id=reservation.order_id).update(
        status=reservation.status, updated_at=timezone.now()
    )
