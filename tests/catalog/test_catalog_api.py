"""shop.catalog.api hands other contexts frozen DTOs, never models or QuerySets."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from django.db.models import Model, QuerySet

from shop.catalog import api as catalog
from shop.catalog.application.add_product import AddProduct, add_product
from shop.catalog.application.revise_product import ReviseProduct, revise_product
from shop.catalog.infrastructure import DATABASE
from shop.kernel import Money

pytestmark = pytest.mark.django_db(databases=[DATABASE])


@pytest.fixture
def mugs():
    add_product(AddProduct(sku="MUG-1", name="Mug", description="", price=Money("4.50", "EUR")))
    add_product(AddProduct(sku="MUG-2", name="Mug 2", description="", price=Money(9, "EUR")))
    revise_product(ReviseProduct(sku="MUG-2", active=False))


def leaves(value):
    """Every value reachable from a DTO, so nothing ORM-shaped can hide inside one."""
    yield value
    if dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from leaves(getattr(value, field.name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(key)
            yield from leaves(item)


def test_quote_returns_frozen_dtos_for_known_skus_only(mugs):
    quotes = catalog.quote(["MUG-1", "MUG-2", "GONE-1", "MUG-1"])
    assert type(quotes) is dict
    assert set(quotes) == {"MUG-1", "MUG-2"}
    assert quotes["MUG-1"] == catalog.ProductQuote(
        sku="MUG-1", name="Mug", unit_price=Money("4.50", "EUR"), active=True
    )
    assert quotes["MUG-2"].active is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        quotes["MUG-1"].unit_price = Money("0.01", "EUR")
    with pytest.raises(dataclasses.FrozenInstanceError):
        quotes["MUG-1"].unit_price.amount = Decimal("0.01")


def test_quote_never_hands_out_a_model_or_a_queryset(mugs):
    for value in leaves(catalog.quote(["MUG-1", "MUG-2"])):
        assert not isinstance(value, Model | QuerySet)


def test_quoting_nothing_returns_nothing():
    assert catalog.quote([]) == {}


def test_add_product_returns_a_frozen_dto_and_product_exists_sees_it():
    quote = catalog.add_product(
        sku="TEA-1", name="Tea", description="Green.", price=Decimal("3.20"), currency="EUR"
    )
    assert isinstance(quote, catalog.ProductQuote)
    assert not any(isinstance(v, Model | QuerySet) for v in leaves(quote))
    with pytest.raises(dataclasses.FrozenInstanceError):
        quote.name = "Coffee"
    assert catalog.product_exists("TEA-1") is True
    assert catalog.product_exists("GONE-1") is False
