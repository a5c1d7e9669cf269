"""Check 5, string references: Django's dotted strings and app labels, which no import
graph sees, do not reach into another context."""

from __future__ import annotations

from .trees import CLEAN, found, line, write

STOCK_URLS = "acme/apps/stock/urls.py"
RECEIVERS = "acme/sales/receivers.py"


def _references(tmp_path, files, config=None):
    tree = write(tmp_path, files) if config is None else write(tmp_path, files, config=config)
    return found(tree, "string-references")


def test_the_composition_root_includes_every_context_s_urls(tmp_path):
    assert 'include("acme.apps.stock.urls")' in CLEAN["acme/site/urls.py"]
    assert _references(tmp_path, {}) == []


def test_include_outside_the_composition_root_is_found(tmp_path):
    urls = """\
        from django.urls import include, path

        urlpatterns = [
            path("own/", include("acme.apps.stock.rest.urls")),
            path("orders/", include("acme.sales.urls")),  # string
            path("orders2/", include(("acme.sales.urls", "sales"), namespace="s")),  # tuple
        ]
        """
    violations = _references(tmp_path, {STOCK_URLS: urls})

    assert {(v["file"], v["line"], v["imported"]) for v in violations} == {
        (STOCK_URLS, line(urls, "# string"), "urls acme.sales.urls"),
        (STOCK_URLS, line(urls, "# tuple"), "urls acme.sales.urls"),
    }
    assert {v["context"] for v in violations} == {"warehouse"}


def test_include_in_a_shared_package_is_found(tmp_path):
    urls = 'from django.urls import include\n\nPATTERNS = include("acme.apps.stock.urls")\n'
    violations = _references(tmp_path, {"acme/common/urls.py": urls})

    assert [(v["file"], v["line"], v["context"]) for v in violations] == [
        ("acme/common/urls.py", 3, "common")
    ]


def test_looking_up_another_context_s_model_by_name_is_found(tmp_path):
    lookup = """\
        from django.apps import apps


        def counts() -> list[int]:
            own = apps.get_model("sales", "Order")
            items = apps.get_model("warehouse", "Item")  # two arguments
            places = apps.get_model("warehouse.Location")  # one label
            named = apps.get_model(app_label="warehouse", model_name="Item")  # keywords
            return [own.objects.count(), items.objects.count(), places, named]
        """
    violations = _references(tmp_path, {"acme/sales/application.py": lookup})

    assert {(v["line"], v["imported"]) for v in violations} == {
        (line(lookup, "# two arguments"), "model warehouse.Item"),
        (line(lookup, "# one label"), "model warehouse.Location"),
        (line(lookup, "# keywords"), "model warehouse.Item"),
    }


def test_get_model_in_a_migration_is_left_to_table_ownership(tmp_path):
    migration = CLEAN["acme/sales/migrations/0002_lines.py"].replace(
        '"sales", "OrderLine"', '"warehouse", "Item"'
    )
    tree = write(tmp_path, {"acme/sales/migrations/0002_lines.py": migration})

    assert found(tree, "string-references") == []
    assert [v["imported"] for v in found(tree, "table-ownership")] == ["model warehouse.Item"]


RECEIVING = """\
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from acme.apps.stock import models as stock_models
from acme.apps.stock.models import Item
from acme.sales.models import Order


@receiver(post_save, sender="warehouse.Item")  # string
def item_saved(sender, **kwargs):
    pass


@receiver(post_delete, sender=Item)  # class
def item_deleted(sender, **kwargs):
    pass


@receiver(post_save, sender=Order)
def order_saved(sender, **kwargs):
    pass


def wire() -> None:
    post_save.connect(item_saved, sender=stock_models.Location)  # connect
    post_delete.connect(item_deleted, Item)  # positional
    post_save.connect(order_saved, sender="sales.Order")
"""


def test_receiving_another_context_s_model_signals_is_found(tmp_path):
    violations = _references(tmp_path, {RECEIVERS: RECEIVING})

    assert {(v["line"], v["imported"]) for v in violations} == {
        (line(RECEIVING, "# string"), "sender warehouse.Item"),
        (line(RECEIVING, "# class"), "sender acme.apps.stock.models.Item"),
        (line(RECEIVING, "# connect"), "sender acme.apps.stock.models.Location"),
        (line(RECEIVING, "# positional"), "sender acme.apps.stock.models.Item"),
    }
    assert {(v["file"], v["context"]) for v in violations} == {(RECEIVERS, "sales")}
