"""No model relation crosses a context boundary: across contexts, refer by id (docs/design.md §3)."""

# The models below are throwaway shapes fed to the check, never rendered: no __str__.
# ruff: noqa: DJ008

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test.utils import isolate_apps

from shop.platform.architecture.relations import find_cross_context_relations

CONTEXTS = ["catalog", "inventory", "ordering", "billing"]


def test_no_installed_model_relates_to_another_context_or_to_auth():
    installed = apps.get_models(include_auto_created=True)
    checked_labels = {model._meta.app_label for model in installed}
    assert set(settings.SHOP_CONTEXTS) <= checked_labels  # the check is not vacuous

    assert find_cross_context_relations(installed, contexts=settings.SHOP_CONTEXTS) == []


@isolate_apps("shop.ordering", "shop.billing")
def test_check_reports_relations_into_another_context_or_auth_and_allows_its_own():
    class User(models.Model):
        class Meta:
            app_label = "auth"

    class Invoice(models.Model):
        class Meta:
            app_label = "billing"

    class Order(models.Model):
        class Meta:
            app_label = "ordering"

    class OrderLine(models.Model):
        order = models.ForeignKey(Order, on_delete=models.CASCADE)
        invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE)
        customer = models.OneToOneField(User, on_delete=models.CASCADE)
        settled_by = models.ManyToManyField(Invoice, related_name="+")

        class Meta:
            app_label = "ordering"

    found = find_cross_context_relations([Order, OrderLine, Invoice, User], contexts=CONTEXTS)

    assert found == [
        "ordering.OrderLine.customer -> auth.User",
        "ordering.OrderLine.invoice -> billing.Invoice",
        "ordering.OrderLine.settled_by -> billing.Invoice",
    ]


@isolate_apps("shop.ordering", "django.contrib.contenttypes")
def test_check_reports_a_generic_relation_in_a_context():
    class Note(models.Model):
        content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
        object_id = models.PositiveIntegerField()
        subject = GenericForeignKey("content_type", "object_id")

        class Meta:
            app_label = "ordering"

    found = find_cross_context_relations([Note], contexts=CONTEXTS)

    assert found == [
        "ordering.Note.content_type -> contenttypes.ContentType",
        "ordering.Note.subject: generic relation, may point into any context",
    ]


@pytest.mark.parametrize("label", ["admin", "platform"])
@isolate_apps("shop.platform")
def test_apps_outside_the_contexts_share_the_default_store_and_may_relate(label):
    class User(models.Model):
        class Meta:
            app_label = "auth"

    class Entry(models.Model):
        user = models.ForeignKey(User, on_delete=models.CASCADE)

        class Meta:
            app_label = label

    assert find_cross_context_relations([Entry], contexts=CONTEXTS) == []
