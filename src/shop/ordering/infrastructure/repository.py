"""Translate between ordering's ORM rows and the Order aggregate."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.utils import timezone

from shop.kernel import Money
from shop.ordering.domain.order import CancellationReason, Order, OrderLine, OrderStatus
from shop.ordering.infrastructure import DATABASE
from shop.ordering.infrastructure.models import OrderLineRecord, OrderRecord


def rows() -> QuerySet[OrderRecord]:
    return OrderRecord.objects.using(DATABASE).prefetch_related("lines")


def to_domain(row: OrderRecord) -> Order:
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
                sku=line.sku,
                quantity=line.quantity,
                unit_price=Money.from_minor_units(line.unit_price_minor, row.currency),
            )
            for line in row.lines.all()
        ),
    )


def get(
    order_id: UUID, *, customer_id: int | None = None, for_update: bool = False
) -> Order | None:
    query = rows().select_for_update() if for_update else rows()
    if customer_id is not None:
        query = query.filter(customer_id=customer_id)
    row = query.filter(id=order_id).first()
    return to_domain(row) if row else None


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
