"""Add a product to the catalog."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from shop.catalog.application.errors import ProductAlreadyExists
from shop.catalog.domain.product import Product
from shop.catalog.events import ProductPublished
from shop.catalog.infrastructure import DATABASE, repository
from shop.kernel import Money
from shop.platform.events import publish


@dataclass(frozen=True, kw_only=True)
class AddProduct:
    sku: str
    name: str
    description: str
    price: Money
    active: bool = True


def add_product(command: AddProduct) -> Product:
    product = Product(
        sku=command.sku,
        name=command.name,
        description=command.description,
        price=command.price,
        active=command.active,
    )
    try:
        with transaction.atomic(using=DATABASE):
            if repository.exists(product.sku):
                raise ProductAlreadyExists(product.sku)
            repository.add(product)
            if product.active:
                publish(
                    ProductPublished(
                        sku=product.sku,
                        name=product.name,
                        price=str(product.price.amount),
                        currency=product.price.currency,
                    )
                )
    except IntegrityError:
        raise ProductAlreadyExists(product.sku) from None  # lost a race for the same sku
    return product
