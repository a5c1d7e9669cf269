"""Translate between ordering's ORM rows and the Order aggregate."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from shop.kernel import Money
from shop.ordering.domain.order import CancellationReason, Order, OrderLine, OrderStatus
from shop.ordering.infrastructure import DATABASE
from shop.ordering.infrastructure.models import OrderLineRecord, OrderRecord
from shop.platform.db.children import children_json, loaded


def rows() -> QuerySet[OrderRecord]:
    return OrderRecord.objects.using(DATABASE).prefetch_related("lines")


def to_domain(row: OrderRecord) -> Order:
    """The Order of a row with its lines: prefetched (`rows()`), or read in the same
    statement (`get`, `lines_json`)."""
    if hasattr(row, "lines_json"):
        lines = loaded(row.lines_json)
    else:
        lines = [(ln.sku, ln.quantity, ln.unit_price_minor) for ln in row.lines.all()]
    return Order(
        id=row.id,
        customer_id=row.customer_id,
        placed_at=row.placed_at,
        status=OrderStatus(row.status),
        cancellation_reason=CancellationReason(row.cancellation_reason)
        if row.cancellation_reason
        else None,
        lines=tuple(
            OrderLine(
                sku=sku,
                quantity=quantity,
                unit_price=Money.from_minor_units(unit_price_minor, row.currency),
            )
            for sku, quantity, unit_price_minor in lines
        ),
    )


def get(
    order_id: UUID, *, customer_id: int | None = None, for_update: bool = False
) -> Order | None:
    """The whole aggregate, its lines included, in one statement (locking the order's row
    only, with `for_update`)."""
    query = OrderRecord.objects.using(DATABASE).annotate(lines_json=lines_json())
    if for_update:
        query = query.select_for_update()
    if customer_id is not None:
        query = query.filter(customer_id=customer_id)
    row = query.filter(id=order_id).first()
    return to_domain(row) if row else None


def life_cycle(order_id: UUID) -> tuple[OrderStatus, datetime, datetime] | None:
    """Where an order stands and since when: its status, when it was placed and when its
    status last changed (None: no such order)."""
    row = (
        OrderRecord.objects.using(DATABASE)
        .filter(id=order_id)
        .values_list("status", "placed_at", "updated_at")
        .first()
    )
    return (OrderStatus(row[0]), row[1], row[2]) if row else None


def lines_json():
    """Per order row: its lines as JSON [[sku, quantity, unit_price_minor], ...] in position
    order, read in the same statement."""
    return children_json(
        DATABASE,
        OrderRecord,
        OrderLineRecord,
        key="order",
        columns=["sku", "quantity", "unit_price_minor"],
        order="position",
    )


def add(order: Order, *, payment_token: str) -> None:
    row = OrderRecord.objects.using(DATABASE).create(
        id=order.id,
        customer_id=order.customer_id,
        status=order.status,
        cancellation_reason=order.cancellation_reason or "",
        currency=order.currency,
        total_minor=order.total.minor_units,
        payment_token=payment_token,
        placed_at=order.placed_at,
    )
    OrderLineRecord.objects.using(DATABASE).bulk_create(
        OrderLineRecord(
            order=row,
            position=position,
            sku=line.sku,
            quantity=line.quantity,
            unit_price_minor=line.unit_price.minor_units,
        )
        for position, line in enumerate(order.lines)
    )


def save_status(order: Order) -> None:
    """Lines and prices are frozen at placement; only the life cycle moves."""
    OrderRecord.objects.using(DATABASE).filter(id=order.id).update(
        status=order.status,
        cancellation_reason=order.cancellation_reason or "",
        updated_at=timezone.now(),
    )
