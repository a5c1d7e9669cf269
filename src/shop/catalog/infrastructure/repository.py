"""Translate between the catalog's ORM rows and its domain Product."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from shop.catalog.domain.product import Product
from shop.catalog.infrastructure import DATABASE
from shop.catalog.infrastructure.models import ProductRecord
from shop.kernel import Money


def to_domain(row: ProductRecord) -> Product:
    return Product(
        sku=row.sku,
        name=row.name,
        description=row.description,
        price=Money.from_minor_units(row.price_minor, row.currency),
        active=row.active,
    )


def rows() -> QuerySet[ProductRecord]:
    return ProductRecord.objects.using(DATABASE)


def get(sku: str, *, for_update: bool = False) -> Product | None:
    query = rows().select_for_update() if for_update else rows()
    row = query.filter(sku=sku).first()
    return to_domain(row) if row else None


def exists(sku: str) -> bool:
    return rows().filter(sku=sku).exists()


def add(product: Product) -> None:
    rows().create(
        sku=product.sku,
        name=product.name,
        description=product.description,
        price_minor=product.price.minor_units,
        currency=product.price.currency,
        active=product.active,
    )


def save(product: Product) -> None:
    rows().filter(sku=product.sku).update(
        name=product.name,
        description=product.description,
        price_minor=product.price.minor_units,
        currency=product.price.currency,
        active=product.active,
        updated_at=timezone.now(),
    )


def many(skus: list[str]) -> dict[str, Product]:
    return {row.sku: to_domain(row) for row in rows().filter(sku__in=skus)}
