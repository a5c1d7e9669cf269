"""Read side of the catalog."""

from __future__ import annotations

from django.db.models import QuerySet

from shop.catalog.domain.product import Product
from shop.catalog.infrastructure import repository
from shop.catalog.infrastructure.models import ProductRecord


def product_rows(*, include_retired: bool) -> QuerySet[ProductRecord]:
    rows = repository.rows()
    return rows if include_retired else rows.filter(active=True)


def product(sku: str) -> Product | None:
    return repository.get(sku)


def products(skus: list[str]) -> dict[str, Product]:
    return repository.many(skus)
