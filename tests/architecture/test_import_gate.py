"""The import-linter gate fails when each of its contracts is broken.

Every canary copies the source tree and `importlinter.ini` to a temporary folder,
plants one violation there, runs `lint-imports` on the copy and expects it to fail,
naming the planted import. The copy is put first on PYTHONPATH, so `lint-imports`
analyses it rather than the installed package; the baseline test proves that.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "importlinter.ini"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACT_IDS = {
    "public-interface",
    "context-layers",
    "pure-domain",
    "platform-knows-no-context",
    "kernel-stands-alone",
}


def read_config() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    return parser


def contract_name(contract_id: str) -> str:
    return read_config()[f"importlinter:contract:{contract_id}"]["name"]


@dataclass(frozen=True)
class Gate:
    returncode: int
    output: str

    @property
    def broken(self) -> set[str]:
        return set(re.findall(r"^(.+) BROKEN$", self.output, flags=re.MULTILINE))


def copy_tree(destination: Path) -> Path:
    shutil.copytree(
        ROOT / "src",
        destination / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    shutil.copy2(CONFIG, destination / CONFIG.name)
    return destination


def gate_env(copy: Path) -> dict[str, str]:
    # A wide console keeps each reported import on one line.
    return {**os.environ, "PYTHONPATH": str(copy / "src"), "COLUMNS": "250"}


def run_gate(copy: Path) -> Gate:
    completed = subprocess.run(
        [str(LINT_IMPORTS), "--config", CONFIG.name, "--no-cache"],
        cwd=copy,
        env=gate_env(copy),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = re.sub(r"\x1b\[[0-9;]*m", "", completed.stdout + completed.stderr)
    return Gate(completed.returncode, output)


def plant(copy: Path, module_path: str, line: str) -> int:
    """Append `line` to src/shop/<module_path> (creating it) and return its line number."""
    path = copy / "src" / "shop" / module_path
    existing = path.read_text().rstrip("\n").splitlines() if path.exists() else []
    path.write_text("\n".join([*existing, line]) + "\n")
    return len(existing) + 1


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    return copy_tree(tmp_path)


def test_shipped_config_has_every_contract_and_no_ignore_imports():
    config = read_config()
    contracts = {
        section.removeprefix("importlinter:contract:")
        for section in config.sections()
        if section.startswith("importlinter:contract:")
    }
    assert contracts == CONTRACT_IDS
    exemptions = [
        f"[{section}] {option}"
        for section in config.sections()
        for option in config[section]
        if option == "ignore_imports"
    ]
    assert exemptions == []


def test_unmodified_copy_passes_the_gate_and_is_the_tree_analysed(copy: Path):
    resolved = subprocess.run(
        [sys.executable, "-c", "import shop; print(shop.__file__)"],
        cwd=copy,
        env=gate_env(copy),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(resolved).is_relative_to(copy / "src")

    gate = run_gate(copy)

    assert gate.returncode == 0, gate.output
    assert f"Contracts: {len(CONTRACT_IDS)} kept, 0 broken." in gate.output


@dataclass(frozen=True)
class Canary:
    """One planted violation: the lines to add and what the gate must report."""

    plants: tuple[tuple[str, str], ...]
    reported: str  # the violating import as the gate prints it; {line}: the last plant's
    broken: frozenset[str]


CANARIES = {
    "context-imports-another-contexts-infrastructure": Canary(
        plants=(
            (
                "ordering/application/place_order.py",
                "from shop.billing.infrastructure.models import InvoiceRecord",
            ),
        ),
        reported="shop.ordering.application.place_order -> shop.billing.infrastructure.models",
        broken=frozenset({"public-interface"}),
    ),
    # Nobody ever listed shop.billing.secrets as private: the allow-list makes it so.
    # Being outside every layer, it also breaks the exhaustive layers contract.
    "context-imports-a-new-module-of-another-context": Canary(
        plants=(
            ("billing/secrets.py", 'PROVIDER_KEY = "sk_live"'),
            (
                "ordering/application/place_order.py",
                "from shop.billing.secrets import PROVIDER_KEY",
            ),
        ),
        reported="shop.ordering.application.place_order -> shop.billing.secrets",
        broken=frozenset({"public-interface", "context-layers"}),
    ),
    "site-imports-a-contexts-rest-views": Canary(
        plants=(("site/urls.py", "from shop.catalog.rest.views import ProductList"),),
        reported="shop.site.urls -> shop.catalog.rest.views",
        broken=frozenset({"public-interface"}),
    ),
    "domain-imports-infrastructure": Canary(
        plants=(("ordering/domain/order.py", "from shop.ordering.infrastructure import DATABASE"),),
        reported="shop.ordering.domain.order -> shop.ordering.infrastructure",
        # The infrastructure package is Django's side: importing it drags the framework
        # into the domain too, which the framework-free contract reports.
        broken=frozenset({"context-layers", "pure-domain"}),
    ),
    "application-imports-rest": Canary(
        plants=(("catalog/application/queries.py", "from shop.catalog.rest import serializers"),),
        reported="shop.catalog.application.queries -> shop.catalog.rest.serializers",
        broken=frozenset({"context-layers"}),
    ),
    "context-module-outside-every-layer": Canary(
        plants=(("inventory/helpers.py", '"""Odds and ends."""'),),
        reported="- shop.inventory.helpers",
        broken=frozenset({"context-layers"}),
    ),
    "domain-imports-django": Canary(
        plants=(("catalog/domain/product.py", "import django"),),
        reported="shop.catalog.domain.product -> django",
        broken=frozenset({"pure-domain"}),
    ),
    "domain-imports-rest-framework": Canary(
        plants=(("inventory/domain/stock.py", "from rest_framework import serializers"),),
        reported="shop.inventory.domain.stock -> rest_framework",
        broken=frozenset({"pure-domain"}),
    ),
    "platform-imports-a-context-api": Canary(
        plants=(("platform/db/provisioning.py", "from shop.ordering import api"),),
        reported="shop.platform.db.provisioning -> shop.ordering.api",
        broken=frozenset({"platform-knows-no-context"}),
    ),
    # Every domain imports the kernel, so the domain contract sees django through it too.
    "kernel-imports-django": Canary(
        plants=(("kernel/money.py", "from django.conf import settings"),),
        reported="shop.kernel.money -> django",
        broken=frozenset({"kernel-stands-alone", "pure-domain"}),
    ),
}


@pytest.mark.parametrize("canary", CANARIES.values(), ids=CANARIES.keys())
def test_gate_fails_and_names_the_planted_violation(copy: Path, canary: Canary):
    for module_path, line in canary.plants:
        line_number = plant(copy, module_path, line)

    gate = run_gate(copy)

    assert gate.returncode != 0, gate.output
    assert gate.broken == {contract_name(c) for c in canary.broken}, gate.output
    expected = canary.reported
    if " -> " in expected:
        expected += f" (l.{line_number})"
    assert expected in gate.output, gate.output
