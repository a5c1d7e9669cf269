"""Change a product's name, description, price or availability."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from shop.catalog.application.errors import ProductNotFound
from shop.catalog.domain.product import Product
from shop.catalog.events import PriceChanged, ProductPublished, ProductRetired
from shop.catalog.infrastructure import DATABASE, repository
from shop.kernel import Money
from shop.platform.events import publish


@dataclass(frozen=True, kw_only=True)
class ReviseProduct:
    sku: str
    name: str | None = None
    description: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    active: bool | None = None


def revise_product(command: ReviseProduct) -> Product:
    with transaction.atomic(using=DATABASE):
        current = repository.get(command.sku, for_update=True)
        if current is None:
            raise ProductNotFound(command.sku)
        changes: dict[str, object] = {
            name: value
            for name in ("name", "description", "active")
            if (value := getattr(command, name)) is not None
        }
        if command.price is not None or command.currency is not None:
            changes["price"] = Money(
                command.price if command.price is not None else current.price.amount,
                command.currency or current.price.currency,
            )
        revised = current.revise(**changes)
        repository.save(revised)
        if revised.price != current.price:
            publish(
                PriceChanged(
                    sku=revised.sku,
                    price=str(revised.price.amount),
                    currency=revised.price.currency,
                )
            )
        if current.active and not revised.active:
            publish(ProductRetired(sku=revised.sku))
        if revised.active and not current.active:
            publish(
                ProductPublished(
                    sku=revised.sku,
                    name=revised.name,
                    price=str(revised.price.amount),
                    currency=revised.price.currency,
                )
            )
    return revised
