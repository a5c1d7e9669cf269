"""Both modes of the gate fail on every kind of violation each check exists for, alike.

Each canary plants violations of one check in a copy of the shop (see conftest.py) and
runs the gate twice: statically from the source (`contextgate check`, which imports
nothing) and in Django mode (`manage.py contextgate`, with the app registry). Both exit 1
and report the same violations, each at the planted file and line. The unmodified copy
passes in both modes.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

Planted = set[tuple[str, str, int]]  # (check, file, line)
CHECKS = {"imports", "public-names", "orm-relations", "table-ownership", "string-references"}


def test_unmodified_copy_passes_every_check_in_both_modes(project):
    for gate in (project.static(), project.django()):
        assert gate.returncode == 0, gate.stdout + gate.stderr
        assert gate.report["passed"] is True
        assert gate.report["violations"] == []
        assert set(gate.report["timings_ms"]["checks"]) == CHECKS


def imports(project) -> Planted:
    (private,) = project.plant(
        "ordering/application/place_order.py",
        "from shop.billing.infrastructure.models import InvoiceRecord",
    )
    (upward,) = project.plant(
        "ordering/domain/order.py", "from shop.ordering.infrastructure import DATABASE"
    )
    return {
        ("imports", project.file("ordering/application/place_order.py"), private),
        ("imports", project.file("ordering/domain/order.py"), upward),
    }


def public_names(project) -> Planted:
    module = "ordering/application/place_order.py"
    unlisted, _, attribute = project.plant(
        module,
        "from shop.billing.api import queries",
        "from shop.catalog import api as catalog_api",
        "PRICE = catalog_api.Money",
    )
    model, queryset = project.plant(
        "billing/api.py",
        'def invoice_record(order_id: str) -> "InvoiceRecord | None":',
        '    """Leaks the model."""',
        "def open_invoices() -> QuerySet:",
        '    """Leaks a QuerySet."""',
        '__all__ += ["invoice_record", "open_invoices"]',
    )[0:3:2]
    return {
        ("public-names", project.file(module), unlisted),
        ("public-names", project.file(module), attribute),
        ("public-names", project.file("billing/api.py"), model),
        ("public-names", project.file("billing/api.py"), queryset),
    }


def orm_relations(project) -> Planted:
    module = "ordering/infrastructure/models.py"
    lines = project.plant(
        module,
        "from django.conf import settings",
        "from django.contrib.contenttypes.fields import GenericForeignKey",
        "from shop.catalog.infrastructure.models import ProductRecord",
        "class OrderNoteRecord(models.Model):",
        '    invoice = models.ForeignKey("billing.InvoiceRecord", on_delete=models.PROTECT)',
        "    author = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)",
        "    products = models.ManyToManyField(ProductRecord)",
        "    content_type = models.IntegerField()",
        "    object_id = models.IntegerField()",
        '    subject = GenericForeignKey("content_type", "object_id")',
    )
    return {("orm-relations", project.file(module), lines[i]) for i in (4, 5, 6, 9)}


def table_ownership(project) -> Planted:
    repository = "ordering/infrastructure/repository.py"
    raw_sql, schema = project.plant(
        repository,
        'BILLED = "SELECT order_id FROM billing_invoice WHERE status = %s"',
        'AUDIT = "SELECT * FROM \\"billing\\".\\"audit\\""',
        "def _billed(cursor):",
        "    cursor.execute(BILLED, ['paid'])",
        "    return OrderRecord.objects.raw(AUDIT)",
    )[:2]
    migration = "ordering/migrations/0003_copy_invoices.py"
    lines = project.plant(
        migration,
        "from django.db import migrations",
        "def copy(apps, schema_editor):",
        '    apps.get_model("billing", "InvoiceRecord").objects.count()',
        "class Migration(migrations.Migration):",
        '    dependencies = [("ordering", "0002_messaging"), ("billing", "0001_initial")]',
        '    operations = [migrations.RunPython(copy), migrations.RunSQL("DELETE FROM catalog_product")]',
    )
    return {
        ("table-ownership", project.file(repository), raw_sql),
        ("table-ownership", project.file(repository), schema),
        ("table-ownership", project.file(migration), lines[2]),
        ("table-ownership", project.file(migration), lines[4]),
        ("table-ownership", project.file(migration), lines[5]),
    }


def string_references(project) -> Planted:
    urls = "ordering/rest/urls.py"
    (include,) = project.plant(
        urls, 'urlpatterns += [path("billing/", include("shop.billing.rest.urls"))]'
    )
    project.plant(urls, "from django.urls import include")
    lookup = "ordering/application/queries.py"
    get_model = project.plant(
        lookup,
        "from django.apps import apps",
        "def _invoices():",
        '    return apps.get_model("billing", "InvoiceRecord")',
    )[2]
    subscribers = "inventory/subscribers.py"
    lines = project.plant(
        subscribers,
        "from django.db.models.signals import post_save",
        "from django.dispatch import receiver",
        "from shop.catalog.models import ProductRecord",
        '@receiver(post_save, sender="ordering.OrderRecord")',
        "def when_order_saved(**kwargs): ...",
        "post_save.connect(when_order_saved, sender=ProductRecord)",
    )
    return {
        ("string-references", project.file(urls), include),
        ("string-references", project.file(lookup), get_model),
        ("string-references", project.file(subscribers), lines[3]),
        ("string-references", project.file(subscribers), lines[5]),
    }


CANARIES: dict[str, Callable[..., Planted]] = {
    "imports": imports,
    "public-names": public_names,
    "orm-relations": orm_relations,
    "table-ownership": table_ownership,
    "string-references": string_references,
}


@pytest.mark.parametrize("check", CANARIES)
def test_both_modes_fail_naming_file_and_line_of_each_planted_violation(project, check):
    planted = CANARIES[check](project)

    static, django = project.static(), project.django()

    assert static.returncode == 1, static.stdout + static.stderr
    assert {found for found in static.found() if found[0] == check} == planted, static.stdout
    assert django.returncode == 1, django.stdout + django.stderr
    assert django.violations == static.violations


def test_django_mode_also_knows_tables_whose_names_code_builds(project):
    """Each context's outbox table is named by `message_tables` at run time: the source
    cannot tell it, the app registry can."""
    repository = "ordering/infrastructure/repository.py"
    (line,) = project.plant(repository, 'PEEK = "SELECT count(*) FROM billing_outbox"')
    project.plant(repository, "def _peek(cursor):", "    cursor.execute(PEEK)")

    static, django = project.static(), project.django()

    assert static.returncode == 0, static.stdout
    assert django.returncode == 1
    assert django.found() == {("table-ownership", project.file(repository), line)}
