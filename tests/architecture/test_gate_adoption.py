"""The gate knows no context of its own: another project's declaration drives every check.

A tiny project `acme` (contexts sales and stock, a shared package, a composition root) is
written to a temporary folder and checked in process with its own declaration.
"""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from shop.platform.architecture import gate, importlinter_config
from shop.platform.architecture.codebase import Codebase
from shop.platform.architecture.declaration import Architecture

ACME = Architecture(
    root="acme",
    contexts=("sales", "stock"),
    public_modules=("api",),
    shared=("acme.common",),
    composition_root="acme.web",
    layers=("api", "domain"),
)

FILES = {
    "__init__.py": "",
    "sales/__init__.py": "",
    "sales/api.py": '__all__ = ["total"]\ndef total(): ...\ndef _helper(): ...\n',
    "sales/domain/__init__.py": "",
    "sales/domain/order.py": "class Order: ...\n",
    "stock/__init__.py": "",
    "stock/api.py": "__all__ = []\n",
    "stock/domain/__init__.py": "",
    "stock/domain/item.py": (
        "from acme.sales.domain.order import Order\n"
        "from acme.sales.api import _helper\n"
        'ORDERS = apps.get_model("sales", "Order")\n'
    ),
    "common/__init__.py": "from acme.sales import api\n",
    "web/__init__.py": "",
    "web/urls.py": 'urlpatterns = [include("acme.sales.urls")]\n',
}


@pytest.fixture
def acme(tmp_path: Path, monkeypatch) -> Codebase:
    for name, text in FILES.items():
        path = tmp_path / "src" / "acme" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    yield Codebase(ACME, workdir=tmp_path)
    for module in [m for m in sys.modules if m == "acme" or m.startswith("acme.")]:
        del sys.modules[module]


def test_another_projects_declaration_drives_every_check(acme: Codebase):
    violations, _, _ = gate.find_violations(acme)

    item = "src/acme/stock/domain/item.py"
    assert {(v.check, v.context, v.file, v.line) for v in violations} == {
        ("config", "project", "importlinter.ini", 1),
        ("imports", "stock", item, 1),
        ("public-names", "stock", item, 2),
        ("string-references", "stock", item, 3),
        ("imports", "common", "src/acme/common/__init__.py", 1),
    }


def test_another_project_gets_its_own_contracts():
    contracts = {c.id: c for c in importlinter_config.contracts(ACME)}

    assert set(contracts) == {"public-interface", "context-layers", "common-knows-no-context"}
    assert contracts["public-interface"].options["containers"] == ["acme.sales", "acme.stock"]
    assert contracts["common-knows-no-context"].options["forbidden_modules"] == [
        "acme.sales",
        "acme.stock",
        "acme.web",
    ]


def test_a_declared_layer_missing_from_a_context_fails_the_gate(acme: Codebase):
    acme.architecture = replace(ACME, layers=("api", "application", "domain"))

    violations, _, _ = gate.find_violations(acme)

    (unusable,) = [v for v in violations if v.importer == "context-layers"]
    assert unusable.context == "project"
    assert re.search(r"module acme\.(sales|stock)\.application does not exist", unusable.message)
