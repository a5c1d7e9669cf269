"""The report formats: text for people, JSON and SARIF for tools, GitHub annotations for a
pull request; each carries every violation with its status."""

from __future__ import annotations

import json

import pytest

from contextgate import reports
from contextgate.checks import CHECKS
from contextgate.gate import Outcome
from contextgate.ratchet import Verdict
from contextgate.violations import Violation

from .trees import CLEAN, check, line, write

APPLICATION = "acme/sales/application.py"
STOCK_APPLICATION = "acme/apps/stock/application.py"
SALES_PRIVATE = CLEAN[APPLICATION] + "from acme.apps.stock.domain import remaining  # sales\n"
STOCK_SQL = CLEAN[STOCK_APPLICATION] + (  # noqa: S608 (planted SQL, never run)
    '\n\ndef purge(cursor) -> None:\n    cursor.execute("DELETE FROM sales_order")  # stock\n'
)
MONEY = "from acme.site import settings  # common\n" + CLEAN["acme/common/money.py"]
TOLERATED = CLEAN["acme/sales/api.py"] + "\n\nfrom acme.apps.stock import domain  # tolerated\n"
TODO = """\
[[todo]]
check = "imports"
importer = "acme.sales.api"
imported = "acme.apps.stock.domain"
reason = "until the price moves to the api"
"""


@pytest.fixture
def tree(tmp_path):
    """A violation in each context and in the shared package; one tolerated, one stale."""
    return write(
        tmp_path,
        {
            APPLICATION: SALES_PRIVATE,
            STOCK_APPLICATION: STOCK_SQL,
            "acme/common/money.py": MONEY,
            "acme/sales/api.py": TOLERATED,
            "acme/sales/architecture_todo.toml": TODO,
            "acme/apps/stock/architecture_todo.toml": TODO.replace("sales.api", "x.y"),
        },
    )


def test_text_groups_the_violations_by_owner_with_place_and_fix(tree):
    run = check(tree, format="text")
    lines = run.out.splitlines()

    assert run.code == 1
    assert lines[0] == (
        "Architecture gate FAILED: 3 new violation(s), 1 stale ratchet entry, "
        "1 tolerated by the ratchet (5 checks)."
    )
    owners = [row for row in lines if row and not row.startswith(" ")][1:]
    assert owners == [
        "sales (1 tolerated by its architecture_todo.toml)",
        "warehouse",
        "common",
        "Timings",
    ]
    sales = lines.index(owners[0])
    assert lines[sales + 1] == f"  {APPLICATION}:{line(SALES_PRIVATE, '# sales')}  [imports]"
    assert lines[sales + 2].startswith("    Contexts import each other only through api and events")
    assert lines[sales + 3].startswith(
        "    fix: Code outside a context reached into its internals."
    )
    stock = lines.index("warehouse")
    # Within an owner, by file and line.
    assert (
        lines[stock + 1] == f"  {STOCK_APPLICATION}:{line(STOCK_SQL, '# stock')}  [table-ownership]"
    )
    assert lines[stock + 4] == "  acme/apps/stock/architecture_todo.toml:1  [stale ratchet entry]"
    assert lines[stock + 6].startswith("    fix: Delete the entry")
    common = lines.index("common")
    assert lines[common + 1] == "  acme/common/money.py:1  [imports]"
    assert "tolerated" not in "\n".join(lines[sales + 4 : stock])
    assert lines[-1].startswith("  total ")


def test_json_has_every_violation_with_its_status_and_the_timings(tree):
    report = check(tree).report

    assert report["passed"] is False
    assert report["summary"] == {"new": 3, "stale": 1, "tolerated": 1}
    assert sorted(
        (v["status"], v["context"], v["file"], v["line"]) for v in report["violations"]
    ) == [
        ("new", "common", "acme/common/money.py", 1),
        ("new", "sales", APPLICATION, line(SALES_PRIVATE, "# sales")),
        ("new", "warehouse", STOCK_APPLICATION, line(STOCK_SQL, "# stock")),
        ("stale", "warehouse", "acme/apps/stock/architecture_todo.toml", 1),
        ("tolerated", "sales", "acme/sales/api.py", line(TOLERATED, "# tolerated")),
    ]
    assert set(report["violations"][0]) == {
        "check",
        "context",
        "file",
        "line",
        "importer",
        "imported",
        "message",
        "hint",
        "status",
    }
    timings = report["timings_ms"]
    assert set(timings["setup"]) == {
        "build import graph",
        "read models",
        "select files",
        "parse sources",
    }
    assert list(timings["checks"]) == [c.id for c in CHECKS]
    assert all(ms >= 0 for ms in [*timings["setup"].values(), *timings["checks"].values()])
    assert timings["total"] >= max(timings["checks"].values())


def test_sarif_is_a_sarif_2_1_0_log_with_the_tolerated_suppressed(tree):
    run = check(tree, format="sarif")
    log = json.loads(run.out)

    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "contextgate"
    rules = [rule["id"] for rule in driver["rules"]]
    assert rules == [*(c.id for c in CHECKS), "ratchet"]
    assert all(rule["shortDescription"]["text"] for rule in driver["rules"])
    results = sarif_run["results"]
    assert len(results) == 5
    for result in results:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] == "error"
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert not physical["artifactLocation"]["uri"].startswith("/")
        assert physical["region"]["startLine"] >= 1
        assert result["properties"]["status"] in {"new", "stale", "tolerated"}
        suppressed = result["properties"]["status"] == "tolerated"
        assert ("suppressions" in result) is suppressed
    (tolerated,) = [r for r in results if "suppressions" in r]
    assert tolerated["suppressions"][0]["kind"] in {"inSource", "external"}
    assert tolerated["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "acme/sales/api.py"},
        "region": {"startLine": line(TOLERATED, "# tolerated")},
    }
    fingerprints = [r["partialFingerprints"]["architectureKey/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)


def test_github_annotates_the_new_and_stale_violations(tree):
    run = check(tree, format="github")
    lines = run.out.splitlines()

    errors = [row for row in lines if row.startswith("::error ")]
    assert len(errors) == 4
    assert (
        f"::error file={APPLICATION},line={line(SALES_PRIVATE, '# sales')},"
        "title=contextgate imports::Contexts import each other only through api and events"
    ) in "\n".join(errors)
    assert any(
        row.startswith(
            "::error file=acme/apps/stock/architecture_todo.toml,line=1,title=stale ratchet entry::"
        )
        for row in errors
    )
    assert not any("acme/sales/api.py" in row for row in errors)
    assert lines[-1] == "::notice title=contextgate::failed: 3 new, 1 stale, 1 tolerated"


def test_github_escapes_data_and_property_values():
    odd = Violation(
        check="table-ownership",
        context="sales",
        file="acme/sales/odd,name:x.py",
        line=7,
        importer="acme.sales.odd",
        imported="table t",
        message="100% of\nthe rows\r",
        hint="a, b: c",
    )
    outcome = Outcome(
        checks=CHECKS,
        violations=[odd],
        verdict=Verdict(new=[odd], tolerated=[], stale=[]),
        setup_timings={},
        check_timings={},
        total=0.0,
    )

    first = reports.as_github(outcome).splitlines()[0]

    assert first == (
        "::error file=acme/sales/odd%2Cname%3Ax.py,line=7,title=contextgate table-ownership"
        "::100%25 of%0Athe rows%0D Fix: a, b: c"
    )
