"""Check 1, the import contracts: each rule of the ``bounded_contexts`` contract, and any
other contract of the same file, finds its planted import at the importing file and line."""

from __future__ import annotations

import pytest

from .trees import CLEAN, CONFIG, found, line, write

APPLICATION = "acme/sales/application.py"


def _rule(violations, rule):
    """The violations of one rule of the contract (``[public-interface]`` in the message)."""
    return [v for v in violations if v["message"].endswith(f"[{rule}]")]


def _one(violations):
    assert len(violations) == 1, violations
    return violations[0]


def test_the_clean_tree_keeps_every_import_rule(tmp_path):
    assert found(write(tmp_path), "imports") == []


def test_a_private_module_of_another_context_is_found_at_its_import(tmp_path):
    text = CLEAN[APPLICATION] + "from acme.apps.stock.models import Item  # planted\n"
    violation = _one(found(write(tmp_path, {APPLICATION: text}), "imports"))

    assert (violation["file"], violation["line"]) == (APPLICATION, line(text, "planted"))
    assert violation["context"] == "sales"
    assert (violation["importer"], violation["imported"]) == (
        "acme.sales.application",
        "acme.apps.stock.models",
    )
    assert violation["message"].endswith("[public-interface]")


def test_a_context_package_init_is_no_back_door(tmp_path):
    init = "from acme.apps.stock.models import Location\n"
    text = CLEAN[APPLICATION] + "from acme.apps.stock import Location  # planted\n"
    tree = write(tmp_path, {"acme/apps/stock/__init__.py": init, APPLICATION: text})

    violation = _one(found(tree, "imports"))

    assert (violation["file"], violation["line"]) == (APPLICATION, line(text, "planted"))
    assert violation["imported"] == "acme.apps.stock"


def test_the_shared_package_importing_a_context_is_found(tmp_path):
    money = "from acme.apps.stock import api  # planted\n" + CLEAN["acme/common/money.py"]
    violation = _one(found(write(tmp_path, {"acme/common/money.py": money}), "imports"))

    assert (violation["file"], violation["line"]) == ("acme/common/money.py", 1)
    assert violation["context"] == "common"
    assert violation["imported"] == "acme.apps.stock.api"
    assert violation["message"].endswith("[shared-acme.common]")


def test_a_layer_importing_upwards_is_found(tmp_path):
    domain = "from acme.apps.stock import application  # planted\n"
    tree = write(tmp_path, {"acme/apps/stock/domain.py": domain})

    violation = _one(_rule(found(tree, "imports"), "context-layers"))

    assert (violation["file"], violation["line"]) == ("acme/apps/stock/domain.py", 1)
    assert violation["context"] == "warehouse"
    assert violation["imported"] == "acme.apps.stock.application"


def test_a_module_in_no_layer_is_found(tmp_path):
    tree = write(tmp_path, {"acme/sales/helpers.py": "LIMIT = 3\n"})

    violation = _one(found(tree, "imports"))

    assert (violation["file"], violation["line"]) == ("acme/sales/helpers.py", 1)
    assert violation["message"] == (
        "Every module of a context sits in a layer, and layers only import downwards: "
        "acme.sales.helpers is in no layer [context-layers]"
    )


def test_a_framework_in_the_domain_layer_is_found(tmp_path):
    domain = "from datetime import date\nfrom django.utils import timezone  # planted\n"
    violation = _one(found(write(tmp_path, {"acme/sales/domain.py": domain}), "imports"))

    assert (violation["file"], violation["line"]) == ("acme/sales/domain.py", 2)
    assert (violation["importer"], violation["imported"]) == ("acme.sales.domain", "django")
    assert violation["message"].endswith("[pure-domain]")


FORBIDDEN = """
[importlinter:contract:no-http]
name = Sales makes no HTTP calls
type = forbidden
source_modules =
    acme.sales
forbidden_modules =
    requests
"""


def test_another_contract_of_the_same_file_runs_too(tmp_path):
    assert found(write(tmp_path, config=CONFIG + FORBIDDEN), "imports") == []

    text = CLEAN[APPLICATION] + "import requests  # planted\n"
    violation = _one(found(write(tmp_path, {APPLICATION: text}, config=CONFIG + FORBIDDEN)))

    assert (violation["file"], violation["line"]) == (APPLICATION, line(text, "planted"))
    assert violation["importer"] == "acme.sales.application"
    assert violation["imported"] == "requests"
    assert violation["message"] == (
        "Sales makes no HTTP calls: acme.sales.application -> requests [no-http]"
    )


def test_a_declared_context_that_does_not_exist_makes_the_contract_unusable(tmp_path):
    config = CONFIG.replace("    acme.sales\n", "    acme.sales\n    acme.billing\n")
    violation = _one(found(write(tmp_path, config=config)))

    assert violation["file"] == "importlinter.ini"
    assert violation["line"] == line(config, "[importlinter:contract:contexts]")
    assert violation["context"] == "project"
    assert "cannot be checked" in violation["message"]
    assert "acme.billing" in violation["message"]


INDEPENDENCE = """
[importlinter:contract:apart]
name = The contexts are independent
type = independence
modules =
    acme.sales
    acme.apps.stock
"""


def test_a_broken_independence_contract_is_found_at_its_import(tmp_path):
    # The clean tree's sales.application imports stock's api: that breaks independence.
    violations = found(write(tmp_path, config=CONFIG + INDEPENDENCE), "imports")

    assert ("acme/sales/application.py", 1) in {(v["file"], v["line"]) for v in violations}


@pytest.mark.parametrize(
    "contract",
    [
        "type = private_modules\n",
        "type = acyclic_siblings\nancestors =\n    acme\n",
    ],
    ids=["private_modules", "acyclic_siblings"],
)
def test_every_built_in_contract_type_of_import_linter_runs(tmp_path, contract):
    config = CONFIG + f"\n[importlinter:contract:extra]\nname = Extra\n{contract}"

    assert found(write(tmp_path, config=config), "imports") == []


def test_a_framework_free_package_that_is_not_a_shared_package_is_checked(tmp_path):
    config = CONFIG.replace(
        "framework_free =\n    domain\n", "framework_free =\n    domain\n    acme.common.money\n"
    )
    money = "from django.utils import timezone  # planted\n" + CLEAN["acme/common/money.py"]
    violation = _one(found(write(tmp_path, {"acme/common/money.py": money}, config=config)))

    assert (violation["file"], violation["line"]) == ("acme/common/money.py", 1)
    assert violation["imported"] == "django"
