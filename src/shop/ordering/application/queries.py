"""Read side of ordering: a customer sees only their own orders."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from shop.ordering.domain.order import Order
from shop.ordering.infrastructure import repository
from shop.ordering.infrastructure.models import OrderRecord


def order_rows(*, customer_id: int) -> QuerySet[OrderRecord]:
    return repository.rows().filter(customer_id=customer_id)


def order(order_id: UUID, *, customer_id: int | None = None) -> Order | None:
    return repository.get(order_id, customer_id=customer_id)
