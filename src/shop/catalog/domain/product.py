"""Product: something the shop sells, under a unique SKU, at one price."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from shop.kernel import Money

SKU_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
SKU_RULE = "must be 2-32 characters of upper-case letters, digits and dashes"
MAX_PRICE = Decimal("1000000")


class InvalidProduct(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def check_sku(sku: str) -> str:
    if not SKU_PATTERN.fullmatch(sku):
        raise InvalidProduct("sku", SKU_RULE)
    return sku


def check_price(price: Money) -> Money:
    if not price.is_positive:
        raise InvalidProduct("price", "must be greater than zero")
    if price.amount >= MAX_PRICE:
        raise InvalidProduct("price", f"must be less than {MAX_PRICE}")
    return price


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    description: str
    price: Money
    active: bool = True

    def __post_init__(self) -> None:
        check_sku(self.sku)
        if not self.name.strip():
            raise InvalidProduct("name", "must not be blank")
        check_price(self.price)

    def revise(self, **changes: object) -> Product:
        """A copy with the given fields changed; every invariant is checked again."""
        return replace(self, **changes)  # type: ignore[arg-type]
