"""Check 3, ORM relations: no relation field of a context's model points into another app,
however the target is written, and each is reported at the line that writes it."""

from __future__ import annotations

from contextgate.project import Project

from .trees import CLEAN, found, line, write

MODELS = "acme/sales/models.py"

CROSSING = """\
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from acme.apps.stock import models as stock_models
from acme.apps.stock.models import Item


class Reservation(models.Model):
    by_class = models.ForeignKey(Item, on_delete=models.CASCADE)  # class
    by_attribute = models.ForeignKey(stock_models.Item, on_delete=models.CASCADE)  # attribute
    by_label = models.ForeignKey("warehouse.Item", on_delete=models.CASCADE)  # label
    by_lower_label = models.ForeignKey("warehouse.item", on_delete=models.CASCADE)  # lower
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)  # user
    places = models.ManyToManyField("warehouse.Location")  # many
    only = models.OneToOneField(to=Item, on_delete=models.CASCADE)  # one
    kind = models.ForeignKey(ContentType, on_delete=models.CASCADE)  # contenttype
    subject = GenericForeignKey("kind", "subject_id")  # generic
    subject_id = models.IntegerField()
"""


def _relations(tmp_path, files):
    return found(write(tmp_path, files), "orm-relations")


def test_relations_within_the_context_pass(tmp_path):
    # "self", "Order", "sales.Order" and the class Order itself, in CLEAN's sales models.
    assert 'ForeignKey("self"' in CLEAN[MODELS]
    assert _relations(tmp_path, {}) == []


def test_every_way_of_pointing_into_another_app_is_found(tmp_path):
    violations = _relations(tmp_path, {MODELS: CLEAN[MODELS] + "\n\n" + CROSSING})
    text = CLEAN[MODELS] + "\n\n" + CROSSING

    assert {(v["line"], v["imported"]) for v in violations} == {
        (line(text, "# class"), "warehouse.Item"),
        (line(text, "# attribute"), "warehouse.Item"),
        (line(text, "# label"), "warehouse.Item"),
        (line(text, "# lower"), "warehouse.Item"),
        (line(text, "# user"), "auth.User"),
        (line(text, "# many"), "warehouse.Location"),
        (line(text, "# one"), "warehouse.Item"),
        (line(text, "# contenttype"), "contenttypes.ContentType"),
        (line(text, "# generic"), "any context"),
    }
    assert {(v["file"], v["context"]) for v in violations} == {(MODELS, "sales")}
    by_field = {v["importer"]: v for v in violations}
    assert by_field["acme.sales.models.Reservation.only"]["message"].startswith(
        "Reservation.only (OneToOneField) in sales points at warehouse.Item"
    )


def test_the_renamed_context_s_own_relations_pass_and_its_crossings_are_found(tmp_path):
    stock = CLEAN["acme/apps/stock/models.py"] + (
        "\n\nclass Shelf(models.Model):\n"
        '    location = models.ForeignKey("warehouse.Location", on_delete=models.CASCADE)\n'
        '    item = models.ForeignKey("Item", on_delete=models.CASCADE)\n'
        '    order = models.ForeignKey("sales.Order", on_delete=models.CASCADE)  # planted\n'
    )
    violations = _relations(tmp_path, {"acme/apps/stock/models.py": stock})

    assert [(v["file"], v["line"], v["context"], v["imported"]) for v in violations] == [
        ("acme/apps/stock/models.py", line(stock, "# planted"), "warehouse", "sales.Order")
    ]


BASES = """\
from django.db import models


class Audited(models.Model):
    checked_by = models.ForeignKey("auth.User", on_delete=models.PROTECT)  # base

    class Meta:
        abstract = True


class Stocked(models.Model):
    item = models.ForeignKey("warehouse.Item", on_delete=models.PROTECT)  # mixin

    class Meta:
        abstract = True
"""


def test_a_field_inherited_from_an_abstract_base_is_found_at_the_base(tmp_path):
    models = CLEAN[MODELS] + (
        "\n\nfrom acme.common.bases import Audited, Stocked\n\n\n"
        "class Delivery(Stocked, Audited):\n"
        "    note = models.TextField()\n"
    )
    violations = _relations(tmp_path, {MODELS: models, "acme/common/bases.py": BASES})

    assert {(v["file"], v["line"], v["imported"]) for v in violations} == {
        ("acme/common/bases.py", line(BASES, "# base"), "auth.User"),
        ("acme/common/bases.py", line(BASES, "# mixin"), "warehouse.Item"),
    }
    assert {v["context"] for v in violations} == {"sales"}


def test_an_abstract_base_alone_has_no_relation_to_report(tmp_path):
    # Its fields count once a context's concrete model inherits them, not before.
    assert _relations(tmp_path, {"acme/common/bases.py": BASES}) == []


def test_a_model_defined_inside_an_if_block_is_read(tmp_path):
    models = CLEAN[MODELS] + (
        "\n\nfrom django.conf import settings\n\n"
        "if settings.DEBUG:\n\n"
        "    class Probe(models.Model):\n"
        '        item = models.ForeignKey("warehouse.Item", on_delete=models.CASCADE)  # planted\n'
    )
    violations = _relations(tmp_path, {MODELS: models})

    assert [(v["line"], v["importer"]) for v in violations] == [
        (line(models, "# planted"), "acme.sales.models.Probe.item")
    ]


def test_a_model_of_a_library_base_is_read_from_its_django_fields(tmp_path):
    # model_utils is not in the tree (nor installed): its Django fields make it a model.
    models = CLEAN[MODELS] + (
        "\n\nfrom model_utils.models import TimeStampedModel\n\n\n"
        "class Shipment(TimeStampedModel):\n"
        '    item = models.ForeignKey("warehouse.Item", on_delete=models.CASCADE)  # planted\n'
    )
    violations = _relations(tmp_path, {MODELS: models})

    assert [v["line"] for v in violations] == [line(models, "# planted")]


FORM = """\
from django import forms


class ReservationForm(forms.Form):
    sku = forms.CharField(max_length=40)
    quantity = forms.IntegerField()
"""


def test_a_class_that_is_no_model_is_ignored(tmp_path):
    tree = write(tmp_path, {"acme/sales/forms.py": FORM})
    models = Project.load(tree).models

    assert "ReservationForm" not in models.names["sales"]
    assert "sales_reservationform" not in models.tables["sales"]
    assert models.names["sales"] == {"Order", "OrderLine"}
    assert found(tree, "orm-relations") == []


def test_inheriting_another_context_s_concrete_model_is_a_relation(tmp_path):
    models = CLEAN[MODELS] + (
        "\n\nfrom acme.apps.stock.models import Item\n\n\n"
        "class SpecialItem(Item):  # planted\n"
        "    note = models.TextField()\n"
    )
    violations = _relations(tmp_path, {MODELS: models})

    assert [(v["line"], v["imported"]) for v in violations] == [
        (line(models, "# planted"), "warehouse.Item")
    ]
