"""manage.py seed_demo: demo users, products and stock, safe to run twice, dev-only by default."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from shop.catalog.infrastructure.models import ProductRecord
from shop.inventory.infrastructure.models import StockItemRecord

pytestmark = pytest.mark.django_db(databases="__all__")


def _counts() -> dict[str, int]:
    return {
        "users": get_user_model().objects.count(),
        "products": ProductRecord.objects.count(),
        "stock": StockItemRecord.objects.count(),
    }


def test_seeding_twice_gives_the_same_shop(settings):
    settings.DEBUG = True

    call_command("seed_demo", verbosity=0)
    first = _counts()
    call_command("seed_demo", verbosity=0)

    assert _counts() == first
    assert first["products"] >= 20
    skus = set(ProductRecord.objects.values_list("sku", flat=True))
    assert set(StockItemRecord.objects.filter(on_hand__gt=0).values_list("sku", flat=True)) == skus
    users = {u.username: u.is_staff for u in get_user_model().objects.all()}
    assert users == {"staff": True, "alice": False, "bob": False}


def test_the_demo_shop_is_usable_over_http(settings, anon):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)

    token = anon.post(
        "/api/v1/auth/token", {"username": "alice", "password": "alice"}, format="json"
    )
    assert token.status_code == 200
    listed = anon.get("/api/v1/products?limit=100").json()["results"]
    assert len(listed) == ProductRecord.objects.count()
    assert anon.get(f"/api/v1/stock/{listed[0]['sku']}").json()["available"] > 0


def test_seeding_refuses_without_debug(settings, nothing_written):
    settings.DEBUG = False

    with nothing_written(), pytest.raises(CommandError, match="SHOP_DEBUG"):
        call_command("seed_demo", verbosity=0)


def test_seeding_without_debug_needs_allow_production(settings):
    settings.DEBUG = False

    call_command("seed_demo", allow_production=True, verbosity=0)

    assert _counts()["products"] >= 20
    assert get_user_model().objects.get(username="staff").is_staff
