"""Adding and revising products, on the catalog's own store."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop.catalog.application.add_product import AddProduct, add_product
from shop.catalog.application.errors import ProductAlreadyExists, ProductNotFound
from shop.catalog.application.revise_product import ReviseProduct, revise_product
from shop.catalog.domain.product import InvalidProduct
from shop.catalog.infrastructure import DATABASE
from shop.catalog.infrastructure.models import ProductRecord
from shop.kernel import InvalidMoney, Money

pytestmark = pytest.mark.django_db(databases=[DATABASE])


def stored(sku: str) -> tuple:
    row = ProductRecord.objects.using(DATABASE).get(sku=sku)
    return (row.name, row.description, row.price_minor, row.currency, row.active)


def add_mug(**overrides):
    fields = {
        "sku": "MUG-1",
        "name": "Mug",
        "description": "Holds tea.",
        "price": Money("4.50", "EUR"),
    } | overrides
    return add_product(AddProduct(**fields))


def test_a_new_product_is_stored_in_minor_units():
    product = add_mug()
    assert product.price == Money("4.50", "EUR")
    assert stored("MUG-1") == ("Mug", "Holds tea.", 450, "EUR", True)


def test_adding_an_existing_sku_raises_and_keeps_the_first_product():
    add_mug()
    with pytest.raises(ProductAlreadyExists):
        add_mug(name="Other mug", price=Money("9.00", "EUR"))
    assert stored("MUG-1") == ("Mug", "Holds tea.", 450, "EUR", True)
    assert ProductRecord.objects.using(DATABASE).count() == 1


def test_a_product_that_breaks_a_rule_is_not_stored():
    with pytest.raises(InvalidProduct):
        add_mug(sku="mug-1")
    assert not ProductRecord.objects.using(DATABASE).exists()


def test_revising_only_the_price_keeps_the_currency():
    add_mug(price=Money("4.50", "GBP"))
    revised = revise_product(ReviseProduct(sku="MUG-1", price=Decimal("5.25")))
    assert revised.price == Money("5.25", "GBP")
    assert stored("MUG-1")[2:4] == (525, "GBP")


def test_revising_only_the_name_keeps_everything_else():
    add_mug()
    revise_product(ReviseProduct(sku="MUG-1", name="Big mug"))
    assert stored("MUG-1") == ("Big mug", "Holds tea.", 450, "EUR", True)


def test_revising_an_unknown_sku_raises_product_not_found():
    with pytest.raises(ProductNotFound):
        revise_product(ReviseProduct(sku="GONE-1", name="Ghost"))
    assert not ProductRecord.objects.using(DATABASE).exists()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"price": Decimal("0")}, InvalidProduct),
        ({"price": Decimal("1000000")}, InvalidProduct),
        ({"name": "  "}, InvalidProduct),
        ({"price": Decimal("4.505")}, InvalidMoney),
        ({"currency": "JPY"}, InvalidMoney),  # 4.50 has no meaning in yen
        ({"currency": "XXX"}, InvalidMoney),
        ({"name": "Renamed", "price": Decimal("-1")}, InvalidProduct),
    ],
)
def test_a_rejected_revision_leaves_the_stored_product_unchanged(changes, error):
    add_mug()
    with pytest.raises(error):
        revise_product(ReviseProduct(sku="MUG-1", **changes))
    assert stored("MUG-1") == ("Mug", "Holds tea.", 450, "EUR", True)
