"""Every public api function returns DTOs, never models or QuerySets (check 2, at run time).

The gate reads return annotations; this test looks at real return values, so a missing
or wrong annotation cannot hide a leak. Each function is called on a store holding one
product, its stock, an order and its invoice, so optional results are really there.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from tests.architecture.leaks import orm_objects_in, public_functions

from contextgate.declaration import read
from shop.billing import api as billing
from shop.billing.application.issue_invoice import IssueInvoice, issue_invoice
from shop.catalog import api as catalog
from shop.inventory import api as inventory
from shop.kernel import Money
from shop.ordering import api as ordering
from shop.ordering.application.place_order import PlaceOrder, place_order

ROOT = Path(__file__).resolve().parents[2]
SKU = "MUG-CLASSIC"

# How to call each public function; `order_id` is the id of the stored order.
CALLS: dict[str, Callable[[str], Any]] = {
    "shop.catalog.api.quote": lambda order_id: catalog.quote([SKU]),
    "shop.catalog.api.product_exists": lambda order_id: catalog.product_exists(SKU),
    "shop.catalog.api.add_product": lambda order_id: catalog.add_product(
        sku="TEA-SENCHA", name="Sencha", description="", price=Decimal("11.20"), currency="EUR"
    ),
    "shop.inventory.api.stock_level": lambda order_id: inventory.stock_level(SKU),
    "shop.inventory.api.count_stock": lambda order_id: inventory.count_stock(sku=SKU, on_hand=40),
    "shop.ordering.api.order_summary": lambda order_id: ordering.order_summary(order_id),
    "shop.billing.api.invoice_for_order": lambda order_id: billing.invoice_for_order(order_id),
}
# A context added later (`manage.py startcontext`) lists the calls of its own api in
# tests/<context>/api_calls.py.
for _context in settings.SHOP_CONTEXTS:
    if importlib.util.find_spec(f"tests.{_context}.api_calls") is not None:
        CALLS.update(importlib.import_module(f"tests.{_context}.api_calls").CALLS)


@pytest.fixture
def order_id() -> str:
    catalog.add_product(
        sku=SKU, name="Classic mug", description="", price=Decimal("12.50"), currency="EUR"
    )
    inventory.count_stock(sku=SKU, on_hand=30)
    order = place_order(PlaceOrder(customer_id=7, lines=[(SKU, 2)], payment_token="tok_visa"))
    issue_invoice(
        IssueInvoice(order_id=str(order.id), customer_id=7, amount=Money(Decimal("25.00"), "EUR"))
    )
    return str(order.id)


def test_every_public_api_function_is_called_here():
    assert set(public_functions(read(ROOT)[0])) == set(CALLS)


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("name", sorted(CALLS))
def test_public_api_function_returns_no_model_or_queryset(name: str, order_id: str):
    result = CALLS[name](order_id)

    assert result not in (None, {}, False), f"{name} returned {result!r}: nothing was checked"
    assert orm_objects_in(result) == []


@dataclass(frozen=True)
class Envelope:
    rows: list[Any]


def test_the_leak_finder_sees_models_and_querysets_nested_in_dtos():
    user_model = get_user_model()
    result = {
        "fine": Envelope(rows=[1, "two", Money(Decimal("1.00"), "EUR")]),
        "leaky": Envelope(
            rows=[(user_model(username="carol"),), {"all": user_model.objects.none()}]
        ),
    }

    assert orm_objects_in(result) == [
        "result['leaky'].rows[0][0]: User",
        "result['leaky'].rows[1]['all']: QuerySet",
    ]
