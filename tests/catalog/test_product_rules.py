"""Product: a unique-looking SKU, a name, and a sensible positive price."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.catalog.domain.product import MAX_PRICE, InvalidProduct, Product
from shop.kernel import Money


def product(**overrides) -> Product:
    fields = {
        "sku": "MUG-1",
        "name": "Mug",
        "description": "",
        "price": Money("4.50", "EUR"),
    } | overrides
    return Product(**fields)


@pytest.mark.parametrize("sku", ["AB", "MUG-1", "0-A", "A" * 32, "X-" + "9" * 30])
def test_valid_skus_are_accepted(sku):
    assert product(sku=sku).sku == sku


@pytest.mark.parametrize(
    "sku",
    ["", "A", "A" * 33, "mug-1", "-MUG", "MUG 1", "MUG_1", "MUG-1\n", "\nMUG-1", "MÜG-1"],
)
def test_skus_outside_the_pattern_are_refused(sku):
    with pytest.raises(InvalidProduct) as refused:
        product(sku=sku)
    assert refused.value.field == "sku"


@given(st.from_regex(r"[A-Z0-9][A-Z0-9-]{1,31}", fullmatch=True))
def test_any_sku_matching_the_pattern_is_accepted(sku):
    assert product(sku=sku).sku == sku


@pytest.mark.parametrize("name", ["", " ", "\t\n"])
def test_a_blank_name_is_refused(name):
    with pytest.raises(InvalidProduct) as refused:
        product(name=name)
    assert refused.value.field == "name"


@pytest.mark.parametrize(
    "price",
    [
        Money("0.00", "EUR"),
        Money("-0.01", "EUR"),
        Money(MAX_PRICE, "EUR"),
        Money(MAX_PRICE * 10, "JPY"),
    ],
)
def test_a_price_that_is_not_positive_or_too_large_is_refused(price):
    with pytest.raises(InvalidProduct) as refused:
        product(price=price)
    assert refused.value.field == "price"


def test_the_largest_and_smallest_prices_are_accepted():
    assert product(price=Money(MAX_PRICE - Decimal("0.01"), "EUR")).price.amount == Decimal(
        "999999.99"
    )
    assert product(price=Money("0.01", "EUR")).price.amount == Decimal("0.01")


def test_a_revision_is_checked_like_a_new_product_and_leaves_the_original_alone():
    original = product()
    with pytest.raises(InvalidProduct):
        original.revise(price=Money(0, "EUR"))
    with pytest.raises(InvalidProduct):
        original.revise(name=" ")
    revised = original.revise(name="Big mug", active=False)
    assert (revised.name, revised.active, revised.sku) == ("Big mug", False, "MUG-1")
    assert (original.name, original.active) == ("Mug", True)
