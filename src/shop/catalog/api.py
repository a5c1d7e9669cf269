"""The catalog's open host service: what other contexts may ask of it.

Every function returns frozen dataclasses, never models or QuerySets, so the
same contract can later be served over HTTP when catalog runs on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from shop.catalog.application import queries
from shop.catalog.application.add_product import AddProduct
from shop.catalog.application.add_product import add_product as _add_product
from shop.kernel import Money
from shop.platform import openhost

__all__ = ["ProductQuote", "add_product", "product_exists", "quote"]


@dataclass(frozen=True)
class ProductQuote:
    """What a product costs right now, and whether it can be sold."""

    sku: str
    name: str
    unit_price: Money
    active: bool


@openhost.query
def quote(skus: Iterable[str]) -> dict[str, ProductQuote]:
    """Current name, price and availability of each known sku; unknown skus are absent."""
    return {
        sku: ProductQuote(sku=p.sku, name=p.name, unit_price=p.price, active=p.active)
        for sku, p in queries.products(sorted(set(skus))).items()
    }


@openhost.query
def product_exists(sku: str) -> bool:
    """Whether the catalog has ever listed this sku (active or retired)."""
    return queries.product(sku) is not None


@openhost.command
def add_product(
    *, sku: str, name: str, description: str, price: Decimal, currency: str
) -> ProductQuote:
    """List a new product for sale. Raises ValueError if it breaks a catalog rule or the sku exists."""
    product = _add_product(
        AddProduct(sku=sku, name=name, description=description, price=Money(price, currency))
    )
    return ProductQuote(
        sku=product.sku, name=product.name, unit_price=product.price, active=product.active
    )
