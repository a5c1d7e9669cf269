"""Scenario tests drive the shop through its HTTP API with the event worker running."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shop.catalog import api as catalog
from shop.inventory import api as inventory


@pytest.fixture
def customer(event_worker) -> APIClient:
    user = get_user_model().objects.create_user("carol")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


@pytest.fixture
def stocked(event_worker) -> Callable:
    def add(sku: str, *, price: str = "10.00", on_hand: int = 10) -> str:
        catalog.add_product(
            sku=sku, name=sku.title(), description="", price=Decimal(price), currency="EUR"
        )
        inventory.count_stock(sku=sku, on_hand=on_hand)
        return sku

    return add
