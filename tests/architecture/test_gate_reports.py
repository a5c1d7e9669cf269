"""The gate's reports (text, JSON, SARIF 2.1.0) and its generated importlinter.ini."""

from __future__ import annotations

import io
import json
from pathlib import Path

from django.core.management import call_command
from importlinter.api import read_configuration

from shop.platform.architecture import importlinter_config
from shop.platform.architecture.checks import CHECKS
from shop.platform.architecture.checks.config import expected_importlinter_config
from shop.platform.architecture.codebase import Codebase
from shop.platform.architecture.declaration import Architecture
from shop.platform.architecture.gate import Outcome
from shop.platform.architecture.ratchet import Verdict
from shop.platform.architecture.reports import as_json, as_text
from shop.platform.architecture.sarif import as_sarif
from shop.platform.architecture.violations import Violation

ROOT = Path(__file__).resolve().parents[2]


def violation(check: str, context: str, file: str, line: int, imported: str) -> Violation:
    return Violation(
        check=check,
        context=context,
        file=file,
        line=line,
        importer=f"shop.{context}.application.x",
        imported=imported,
        message=f"{check} broken at {file}:{line}",
        hint=f"fix {imported}",
    )


NEW = violation("imports", "ordering", "src/shop/ordering/application/x.py", 7, "shop.billing.y")
TOLERATED = violation("orm-relations", "billing", "src/shop/billing/models.py", 3, "auth.User")
STALE = violation("ratchet", "catalog", "src/shop/catalog/architecture_todo.toml", 6, "z")
OUTCOME = Outcome(
    checks=CHECKS,
    violations=[NEW, TOLERATED],
    verdict=Verdict(new=[NEW], tolerated=[TOLERATED], stale=[STALE]),
    setup_timings={"parse sources": 0.05},
    check_timings={check.id: 0.001 for check in CHECKS},
    total=0.2,
)


def test_importlinter_ini_is_what_the_declaration_generates():
    codebase = Codebase(Architecture.from_settings(), workdir=ROOT)

    assert (ROOT / "importlinter.ini").read_text() == expected_importlinter_config(codebase)


def test_lint_imports_reads_the_contracts_the_gate_runs():
    declared = importlinter_config.contracts(Architecture.from_settings())

    read = read_configuration(str(ROOT / "importlinter.ini"))["contracts_options"]

    assert read == [contract.as_import_linter() for contract in declared]


def test_json_report_of_this_repository_passes_with_timings_for_every_check(monkeypatch):
    monkeypatch.chdir(ROOT)
    out = io.StringIO()

    call_command("check_architecture", "--format", "json", stdout=out)

    report = json.loads(out.getvalue())
    assert report["passed"] is True
    assert report["summary"] == {"new": 0, "stale": 0, "tolerated": 0}
    assert report["violations"] == []
    assert list(report["timings_ms"]["checks"]) == [check.id for check in CHECKS]
    assert report["timings_ms"]["total"] > 0


def test_a_chosen_check_runs_alone(monkeypatch):
    monkeypatch.chdir(ROOT)
    out = io.StringIO()

    call_command("check_architecture", "--format", "json", "--check", "config", stdout=out)

    assert list(json.loads(out.getvalue())["timings_ms"]["checks"]) == ["config"]


def test_json_report_marks_each_violation_new_stale_or_tolerated():
    report = json.loads(as_json(OUTCOME))

    assert report["passed"] is False
    assert report["summary"] == {"new": 1, "stale": 1, "tolerated": 1}
    assert [(v["check"], v["file"], v["line"], v["status"]) for v in report["violations"]] == [
        ("imports", NEW.file, 7, "new"),
        ("ratchet", STALE.file, 6, "stale"),
        ("orm-relations", TOLERATED.file, 3, "tolerated"),
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


def test_sarif_report_has_a_rule_per_check_and_located_results():
    sarif = json.loads(as_sarif(OUTCOME))

    assert sarif["version"] == "2.1.0"
    assert sarif["$schema"].endswith("sarif-2.1.0.json")
    (run,) = sarif["runs"]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert rules == [*(check.id for check in CHECKS), "ratchet"]
    results = {result["ruleId"]: result for result in run["results"]}
    assert set(results) == {"imports", "ratchet", "orm-relations"}
    for found in (NEW, STALE, TOLERATED):
        result = results[found.check]
        assert rules[result["ruleIndex"]] == found.check
        assert result["level"] == "error"
        assert found.message in result["message"]["text"]
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == found.file
        assert location["physicalLocation"]["region"]["startLine"] == found.line
    assert "suppressions" not in results["imports"]
    assert results["orm-relations"]["suppressions"][0]["kind"] == "external"


def test_text_report_groups_by_context_with_location_hint_and_timings():
    text = as_text(OUTCOME, contexts=("catalog", "inventory", "ordering", "billing"))

    assert text.startswith("Architecture gate FAILED: 1 new violation(s), 1 stale")
    catalog, ordering, billing = (text.index(f"\n{c}") for c in ("catalog", "ordering", "billing"))
    assert catalog < text.index(STALE.location) < ordering < text.index(NEW.location) < billing
    assert f"fix: {NEW.hint}" in text
    assert "billing (1 tolerated by its architecture_todo.toml)" in text
    assert TOLERATED.location not in text  # tolerated debt is counted, not listed
    assert text.index("Timings") > billing
    for check in CHECKS:
        assert f"\n  {check.id} " in text


PLANTED = ("catalog/application/queries.py", "from shop.billing.infrastructure import repository")


def test_command_prints_the_text_report_and_fails(project):
    (line,) = project.plant(*PLANTED)

    gate = project.run(output="text")

    assert gate.returncode == 1
    assert "Architecture gate FAILED: 1 new violation(s)" in gate.stdout
    report = gate.stdout[gate.stdout.index("\ncatalog\n") :]
    assert report.startswith(
        f"\ncatalog\n  src/shop/catalog/application/queries.py:{line}  [imports]"
    )
    assert "fix: Code outside a context reached into its internals." in report
    assert "architecture gate failed" in gate.stderr


def test_command_prints_sarif_and_fails(project):
    (line,) = project.plant(*PLANTED)

    gate = project.run(output="sarif")

    assert gate.returncode == 1
    (result,) = json.loads(gate.stdout)["runs"][0]["results"]
    assert result["ruleId"] == "imports"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "src/shop/catalog/application/queries.py"
    assert location["region"]["startLine"] == line
