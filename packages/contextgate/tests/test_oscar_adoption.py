"""contextgate on django-oscar: a real Django monolith that nobody here wrote.

The release pinned in ``oscar/requirements.txt`` is fetched once by pip, its hash checked,
and kept in ``var/cache/oscar``; its ``oscar`` package is unpacked into a temporary project
beside the declaration in ``oscar/importlinter.ini``. Nothing of Oscar is installed or
imported, and none of its dependencies is needed: that is what adopting the gate on an
existing codebase asks of it. Every violation asserted here was read in Oscar's source
at that file and line; the run finds many more, the ratchet takes them all in, and the
first new one fails it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from contextgate import cli
from contextgate.project import Project

HERE = Path(__file__).parent / "oscar"
REQUIREMENTS = HERE / "requirements.txt"
CACHE = Path(__file__).resolve().parents[3] / "var" / "cache" / "oscar"
CHECKS = {"imports", "public-names", "orm-relations", "table-ownership", "string-references"}


def _pinned() -> tuple[str, str]:
    text = REQUIREMENTS.read_text()
    version = re.search(r"^django-oscar==(\S+)", text, re.MULTILINE)
    digest = re.search(r"--hash=sha256:([0-9a-f]{64})", text)
    assert version and digest, f"{REQUIREMENTS} pins no django-oscar release with its hash"
    return version[1], digest[1]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _wheel() -> Path:
    """The pinned wheel: from the cache when its hash matches, else downloaded by pip."""
    version, digest = _pinned()
    pattern = f"django_oscar-{version}-*.whl"
    cached = [path for path in CACHE.glob(pattern) if _sha256(path) == digest]
    if not cached:
        CACHE.mkdir(parents=True, exist_ok=True)
        fetched = subprocess.run(  # noqa: S603 - our own interpreter's pip
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
            + ["--require-hashes", "-r", str(REQUIREMENTS), "-d", str(CACHE)],
            capture_output=True,
            text=True,
        )
        assert fetched.returncode == 0, f"pip could not fetch {REQUIREMENTS}:\n{fetched.stderr}"
        cached = [path for path in CACHE.glob(pattern) if _sha256(path) == digest]
    assert cached, f"pip left no {pattern} with sha256 {digest} in {CACHE}"
    return cached[0]


@pytest.fixture(scope="session")
def oscar_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder holding Oscar's package and the declaration, to be read only."""
    project = tmp_path_factory.mktemp("oscar-project")
    with zipfile.ZipFile(_wheel()) as wheel:
        wheel.extractall(project, [n for n in wheel.namelist() if n.startswith("oscar/")])
    shutil.copy(HERE / "importlinter.ini", project / "importlinter.ini")
    return project


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def _check(project: Path, *options: str) -> tuple[int, str]:
    """`contextgate check` in this process: its exit status and what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(["check", str(project), *options])
    return code, out.getvalue()


@pytest.fixture(scope="session")
def report(oscar_project: Path) -> dict:
    code, out = _check(oscar_project, "--format", "json")
    assert code == cli.FAILED
    return json.loads(out)


def _found(report: dict) -> set[tuple[str, str, int, str, str]]:
    return {
        (v["check"], v["file"], v["line"], v["importer"], v["imported"])
        for v in report["violations"]
    }


# Each one read in Oscar 4.2.1 at that file and line.
RELATIONS = [
    # order.Line keeps the product it sold; order.models takes AbstractLine (and every
    # other abstract base) by a star import of order.abstract_models.
    ("order/abstract_models.py", 571, "AbstractLine.product", "catalogue.Product"),
    ("order/abstract_models.py", 43, "AbstractOrder.basket", "basket.Basket"),
    # basket.Line's product and stock record: the basket holds rows of two other stores.
    ("basket/abstract_models.py", 699, "AbstractLine.product", "catalogue.Product"),
    ("basket/abstract_models.py", 707, "AbstractLine.stockrecord", "partner.StockRecord"),
    ("partner/abstract_models.py", 100, "AbstractStockRecord.product", "catalogue.Product"),
    ("payment/abstract_models.py", 75, "AbstractSource.order", "order.Order"),
    ("voucher/abstract_models.py", 305, "AbstractVoucherApplication.order", "order.Order"),
    # A many-to-many: offer.Range's products, in a join table of offer's.
    ("offer/abstract_models.py", 992, "AbstractRange.included_products", "catalogue.Product"),
    # Written in address's abstract base, inherited by order's Billing/ShippingAddress.
    ("address/abstract_models.py", 241, "AbstractAddress.country", "address.Country"),
]
IMPORTS = [
    ("order/abstract_models.py", 18, "order.abstract_models", "partner.exceptions"),
    ("order/models.py", 2, "order.models", "address.abstract_models"),
    ("checkout/forms.py", 6, "checkout.forms", "customer.utils"),
    ("dashboard/orders/views.py", 17, "dashboard.orders.views", "payment.exceptions"),
]
MIGRATIONS = [
    ("order/migrations/0001_initial.py", 22, "order", "catalogue.0001_initial"),
    ("payment/migrations/0001_initial.py", 17, "payment", "order.0001_initial"),
    ("basket/migrations/0003_basket_vouchers.py", 10, "basket", "voucher.0001_initial"),
]
MODEL_LOOKUPS = [
    ("checkout/views.py", 29, "checkout.views", "order.Order"),
    ("checkout/mixins.py", 21, "checkout.mixins", "basket.Basket"),
    ("partner/importers.py", 14, "partner.importers", "catalogue.Product"),
]


def test_the_static_run_reports_oscars_cross_context_relations(report):
    found = _found(report)
    apps = "oscar/apps"
    for file, line, field, target in RELATIONS:
        module = f"oscar.apps.{file.partition('/')[0]}.abstract_models"
        assert ("orm-relations", f"{apps}/{file}", line, f"{module}.{field}", target) in found
    order_address = [
        v
        for v in report["violations"]
        if v["importer"] == "oscar.apps.address.abstract_models.AbstractAddress.country"
    ]
    assert {v["context"] for v in order_address} == {"order"}


def test_the_app_nested_in_catalogue_is_a_context_of_its_own(report):
    reviews = "oscar.apps.catalogue.reviews"
    found = {
        (v["check"], v["context"], v["line"], v["importer"], v["imported"])
        for v in report["violations"]
        if v["file"].startswith("oscar/apps/catalogue/reviews/")
    }
    review = f"{reviews}.abstract_models.AbstractProductReview"
    assert ("orm-relations", "reviews", 24, f"{review}.product", "catalogue.Product") in found
    # Within reviews: a vote's review, and each migration's dependency on the one before.
    assert not [key for key in found if key[4].startswith(("reviews.", "migration reviews."))]


def test_the_static_run_reports_oscars_imports_migrations_and_lookups(report):
    found = _found(report)
    apps = "oscar/apps"
    for file, line, importer, imported in IMPORTS:
        key = (
            "imports",
            f"{apps}/{file}",
            line,
            f"oscar.apps.{importer}",
            f"oscar.apps.{imported}",
        )
        assert key in found
    for file, line, app, dependency in MIGRATIONS:
        module = f"oscar.apps.{app}.migrations.{Path(file).stem}"
        key = ("table-ownership", f"{apps}/{file}", line, module, f"migration {dependency}")
        assert key in found
    for file, line, importer, model in MODEL_LOOKUPS:
        key = (
            "string-references",
            f"{apps}/{file}",
            line,
            f"oscar.apps.{importer}",
            f"model {model}",
        )
        assert key in found
    # order_placed is the signal analytics receives; signals is public, but declares no
    # __all__, so none of its names is published.
    assert (
        "public-names",
        f"{apps}/analytics/receivers.py",
        9,
        "oscar.apps.analytics.receivers",
        "oscar.apps.order.signals.order_placed",
    ) in found
    assert {v["check"] for v in report["violations"]} == CHECKS
    assert report["summary"] == {"new": len(report["violations"]), "stale": 0, "tolerated": 0}


# Run as a child with Django and every dependency of Oscar made unimportable: it reports
# whether Django or Oscar ended up imported anyway.
WITHOUT_DJANGO = """
import importlib.abc, json, sys

REFUSED = {"django", "haystack", "treebeard", "extra_views", "phonenumber_field",
           "phonenumbers", "PIL", "babel", "purl", "factory", "django_tables2",
           "widget_tweaks"}

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in REFUSED:
            raise ModuleNotFoundError(f"{name} is not importable here", name=name)

sys.meta_path.insert(0, Refuse())
from contextgate import cli
code = cli.main(["check", sys.argv[1], "--format", "json"])
loaded = sorted(m for m in sys.modules if m.partition(".")[0] in REFUSED | {"oscar"})
print(json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def test_the_run_needs_neither_django_nor_oscars_dependencies(oscar_project, report):
    child = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WITHOUT_DJANGO, str(oscar_project)],
        capture_output=True,
        text=True,
        env={},
        timeout=120,
    )
    last = child.stderr.strip().splitlines()[-1:]
    assert last and last[0].startswith("{"), f"the child failed:\n{child.stderr}"
    outcome = json.loads(last[0])

    assert outcome == {"code": cli.FAILED, "loaded": []}
    assert json.loads(child.stdout)["violations"] == report["violations"]


@pytest.fixture(scope="module")
def baselined(oscar_project: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project whose ratchet files tolerate today's violations."""
    project = _copy(oscar_project, tmp_path_factory.mktemp("baselined") / "project")
    code, _ = _check(project, "--baseline")
    assert code == cli.PASSED
    return project


def test_the_baseline_writes_each_owners_ratchet_and_then_the_run_passes(baselined, report):
    written = sorted(baselined.rglob("architecture_todo.toml"))
    entries = {
        (path.parent, item["check"], item["importer"], item["imported"])
        for path in written
        for item in tomllib.loads(path.read_text()).get("todo", [])
    }
    keys = {(v["context"], v["check"], v["importer"], v["imported"]) for v in report["violations"]}
    apps = baselined / "oscar" / "apps"
    assert apps / "order" / "architecture_todo.toml" in written
    assert apps / "catalogue" / "reviews" / "architecture_todo.toml" in written
    assert len(entries) == len(keys)

    code, out = _check(baselined, "--format", "json")
    outcome = json.loads(out)

    assert code == cli.PASSED
    assert outcome["summary"] == {"new": 0, "stale": 0, "tolerated": len(report["violations"])}


@contextlib.contextmanager
def _planted(path: Path, old: str, new: str):
    """Replace `old` by `new` in a file of the project for the duration, then restore it."""
    original = path.read_text()
    assert original.count(old) == 1, f"{old!r} is not once in {path}"
    path.write_text(original.replace(old, new))
    try:
        yield original[: original.index(old)].count("\n") + 1
    finally:
        path.write_text(original)


def _new(project: Path) -> tuple[int, str, list[dict]]:
    code, text = _check(project)
    _, out = _check(project, "--format", "json")
    return code, text, [v for v in json.loads(out)["violations"] if v["status"] == "new"]


def test_a_new_cross_context_import_after_the_baseline_fails_at_its_line(baselined):
    mixins = baselined / "oscar" / "apps" / "checkout" / "mixins.py"
    dynamic = 'OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")'
    static = "from oscar.apps.order.utils import OrderNumberGenerator"

    with _planted(mixins, dynamic, static) as line:
        code, text, new = _new(baselined)

    assert code == cli.FAILED
    assert f"oscar/apps/checkout/mixins.py:{line}  [imports]" in text
    assert [(v["check"], v["file"], v["line"], v["imported"]) for v in new] == [
        ("imports", "oscar/apps/checkout/mixins.py", line, "oscar.apps.order.utils")
    ]
    assert _check(baselined)[0] == cli.PASSED


def test_a_new_cross_context_foreign_key_after_the_baseline_fails_at_its_line(baselined):
    payment = baselined / "oscar" / "apps" / "payment" / "abstract_models.py"
    klass = "class AbstractTransaction(models.Model):\n"
    field = '    basket = models.ForeignKey("basket.Basket", on_delete=models.PROTECT)\n'

    with _planted(payment, klass, klass + field) as line:
        code, text, new = _new(baselined)

    # Every tolerated relation below it moved a line down: the ratchet does not care.
    assert code == cli.FAILED
    assert f"oscar/apps/payment/abstract_models.py:{line + 1}  [orm-relations]" in text
    assert [(v["check"], v["context"], v["line"], v["importer"], v["imported"]) for v in new] == [
        (
            "orm-relations",
            "payment",
            line + 1,
            "oscar.apps.payment.abstract_models.AbstractTransaction.basket",
            "basket.Basket",
        )
    ]


def test_files_left_unparsed_hold_no_finding(oscar_project, report, monkeypatch):
    """The gate parses only the files a check can find something in (Project.relevant);
    parsing every file finds exactly the same."""
    monkeypatch.setattr(Project, "relevant", property(lambda self: list(self.files.values())))

    code, out = _check(oscar_project, "--format", "json")

    assert code == 1
    assert _found(json.loads(out)) == _found(report)
