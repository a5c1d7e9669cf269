"""A made-up project written into a temporary folder, and the static gate run on it in process.

The project, ``acme``, has two contexts: ``acme.sales`` and ``acme.apps.stock``, declared
``as warehouse``, so a context's package is a dotted path and its app label differs from
the package's last component. ``acme.common`` is shared, ``acme.site`` the composition
root, and each context's modules sit in the layers ``api`` / ``application`` /
``(models)`` / ``domain``, the domain free of Django. `CLEAN` passes every check; a test
writes it with the few files it changes, then looks for its planted violation at its
exact file and line (`line`, which finds a marker in the planted text).
"""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contextgate import cli

CONFIG = """\
[importlinter]
root_packages =
    acme
include_external_packages = True
contract_types =
    bounded_contexts: contextgate.contract.BoundedContextsContract

[importlinter:contract:contexts]
name = Acme's bounded contexts
type = bounded_contexts
contexts =
    acme.sales
    acme.apps.stock as warehouse
public_modules =
    api
    events
layers =
    (urls) | api
    application
    (models)
    (events) | domain
unlayered =
    migrations
shared =
    acme.common
composition_root = acme.site
framework_free =
    domain
frameworks =
    django
"""

_CLEAN = {
    "acme/__init__.py": "",
    "acme/sales/__init__.py": '"""Sales: orders."""\n',
    "acme/sales/api.py": """\
        from acme.sales import application

        __all__ = ["place_order"]


        def place_order(sku: str, quantity: int) -> int:
            return application.place_order(sku, quantity)
        """,
    "acme/sales/application.py": """\
        from acme.apps.stock import api as stock
        from acme.common.money import cents
        from acme.sales.domain import total
        from acme.sales.models import Order


        def place_order(sku: str, quantity: int) -> int:
            stock.reserve(sku, quantity)
            price = cents(stock.item(sku).price)
            return Order.objects.create(sku=sku, total=total(quantity, price)).pk
        """,
    "acme/sales/domain.py": """\
        def total(quantity: int, unit_price: int) -> int:
            return quantity * unit_price
        """,
    "acme/sales/events.py": """\
        from dataclasses import dataclass

        __all__ = ["OrderPlaced"]


        @dataclass(frozen=True)
        class OrderPlaced:
            order_id: int
        """,
    "acme/sales/models.py": """\
        from django.db import models


        class Order(models.Model):
            sku = models.CharField(max_length=40)
            total = models.IntegerField()
            item_id = models.IntegerField()
            replaces = models.ForeignKey("self", null=True, on_delete=models.SET_NULL)


        class OrderLine(models.Model):
            order = models.ForeignKey("Order", on_delete=models.CASCADE)
            first_order = models.ForeignKey("sales.Order", on_delete=models.CASCADE)
            related = models.ManyToManyField(Order, related_name="+")
        """,
    "acme/sales/urls.py": "urlpatterns = []\n",
    "acme/sales/migrations/__init__.py": "",
    "acme/sales/migrations/0001_initial.py": """\
        from django.db import migrations


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [migrations.RunSQL("CREATE INDEX order_sku ON sales_order (sku)")]
        """,
    "acme/sales/migrations/0002_lines.py": """\
        from django.db import migrations


        def fill(apps, schema_editor):
            apps.get_model("sales", "OrderLine").objects.all()


        class Migration(migrations.Migration):
            dependencies = [("sales", "0001_initial")]
            operations = [migrations.RunPython(fill)]
        """,
    "acme/apps/__init__.py": "",
    "acme/apps/stock/__init__.py": '"""The warehouse: items on hand."""\n',
    "acme/apps/stock/api.py": """\
        from dataclasses import dataclass

        from acme.apps.stock import application

        __all__ = ["ItemView", "item", "reserve"]


        @dataclass(frozen=True)
        class ItemView:
            sku: str
            price: float


        def item(sku: str) -> ItemView:
            return ItemView(*application.item(sku))


        def reserve(sku: str, quantity: int) -> None:
            application.reserve(sku, quantity)
        """,
    "acme/apps/stock/application.py": """\
        from django.db import connection

        from acme.apps.stock.domain import remaining
        from acme.apps.stock.models import Item


        def item(sku: str) -> tuple[str, float]:
            found = Item.objects.get(sku=sku)
            return found.sku, found.price


        def reserve(sku: str, quantity: int) -> None:
            found = Item.objects.get(sku=sku)
            found.on_hand = remaining(found.on_hand, quantity)
            found.save()
            with connection.cursor() as cursor:
                cursor.execute("UPDATE stock_location SET busy = true WHERE code = %s", [sku])
        """,
    "acme/apps/stock/domain.py": """\
        def remaining(on_hand: int, quantity: int) -> int:
            if quantity > on_hand:
                raise ValueError("not enough on hand")
            return on_hand - quantity
        """,
    "acme/apps/stock/models.py": """\
        from django.db import models


        class Item(models.Model):
            sku = models.CharField(max_length=40, unique=True)
            price = models.FloatField()
            on_hand = models.IntegerField(default=0)


        class Location(models.Model):
            code = models.CharField(max_length=10)
            busy = models.BooleanField(default=False)

            class Meta:
                db_table = "stock_location"
        """,
    "acme/apps/stock/urls.py": "urlpatterns = []\n",
    "acme/apps/stock/migrations/__init__.py": "",
    "acme/apps/stock/migrations/0001_initial.py": """\
        from django.db import migrations


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = []
        """,
    "acme/common/__init__.py": '"""Shared code no context owns."""\n',
    "acme/common/money.py": """\
        def cents(amount: float) -> int:
            return round(amount * 100)
        """,
    "acme/site/__init__.py": "",
    "acme/site/settings.py": """\
        INSTALLED_APPS = ["acme.sales", "acme.apps.stock"]
        ROOT_URLCONF = "acme.site.urls"
        """,
    "acme/site/urls.py": """\
        from django.urls import include, path

        urlpatterns = [
            path("sales/", include("acme.sales.urls")),
            path("stock/", include("acme.apps.stock.urls")),
        ]
        """,
}
CLEAN: dict[str, str] = {path: textwrap.dedent(text) for path, text in _CLEAN.items()}


def write(
    root: Path,
    files: Mapping[str, str | None] | None = None,
    *,
    config: str | None = CONFIG,
    base: Mapping[str, str] = CLEAN,
) -> Path:
    """Write `base` with `files` laid over it (None removes a base file) and the
    import-linter file (None: no file) into `root`; returns `root`. Texts are dedented."""
    merged: dict[str, str | None] = {**base, **(files or {})}
    for relpath, text in merged.items():
        if text is None:
            continue
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    if config is not None:
        (root / "importlinter.ini").write_text(textwrap.dedent(config))
    return root


def line(text: str, marker: str) -> int:
    """The line of the one line of `text` (dedented as `write` writes it) holding `marker`."""
    found = [n for n, row in enumerate(textwrap.dedent(text).splitlines(), 1) if marker in row]
    assert len(found) == 1, f"{marker!r} is on lines {found}, not on exactly one"
    return found[0]


@dataclass(frozen=True)
class Run:
    """One run of ``contextgate check``: its exit status and what it printed."""

    code: int
    out: str
    err: str

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.out)

    @property
    def violations(self) -> list[dict[str, Any]]:
        return self.report["violations"]


def check(path: Path | None, *args: str, format: str = "json") -> Run:
    """``contextgate check PATH --format FORMAT ARGS`` in this process (no PATH: the
    current directory). stderr is no terminal here, so no progress line is shown."""
    argv = ["check", *([str(path)] if path is not None else []), "--format", format, *args]
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(argv)
    return Run(code, out.getvalue(), err.getvalue())


def found(path: Path, check_id: str | None = None, *args: str) -> list[dict[str, Any]]:
    """The violations of a run on `path`, of one check (``imports``, ``public-names``, ...)
    or of all."""
    run = check(path, *(("--check", check_id) if check_id else ()), *args)
    assert run.code in (0, 1), run.err
    return run.violations


def places(violations: list[dict[str, Any]]) -> set[tuple[str, int]]:
    """Where the violations are: (file, line)."""
    return {(v["file"], v["line"]) for v in violations}
