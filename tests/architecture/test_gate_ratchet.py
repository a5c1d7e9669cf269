"""The ratchet tolerates recorded violations and only ever shrinks.

A new violation fails; `--update-ratchet` records it (keyed by check and importer ->
imported, so moving the code keeps it recorded) and keeps the reasons people wrote; once
the violation is fixed, the entry still listed fails as stale until it is removed.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.conf import settings

SRC = Path(__file__).resolve().parents[2] / "src" / "shop"

TODO = "ordering/architecture_todo.toml"
MODULE = "ordering/application/place_order.py"
PRIVATE_IMPORT = "from shop.billing.infrastructure.models import InvoiceRecord"
LOOKUP = 'def _invoices():\n    return apps.get_model("billing", "InvoiceRecord")'


def entries(project) -> list[dict[str, str]]:
    return tomllib.loads(project.path(TODO).read_text()).get("todo", [])


def test_shop_ships_an_empty_ratchet_for_every_context():
    for context in settings.SHOP_CONTEXTS:
        todo = SRC / context / "architecture_todo.toml"
        assert tomllib.loads(todo.read_text()) == {}, todo


def test_a_recorded_violation_passes_and_a_fixed_one_left_recorded_fails_as_stale(project):
    original = project.path(MODULE).read_text()
    (line,) = project.plant(MODULE, PRIVATE_IMPORT)

    new = project.run()
    recorded = project.run("--update-ratchet")

    assert new.returncode == 1
    assert ("imports", project.file(MODULE), line) in new.found()
    assert recorded.returncode == 0, recorded.stdout
    assert ("imports", project.file(MODULE), line) in recorded.found("tolerated")
    assert entries(project) == [
        {
            "check": "imports",
            "importer": "shop.ordering.application.place_order",
            "imported": "shop.billing.infrastructure.models",
            "reason": "TODO: why this is tolerated",
        }
    ]

    # People write the reason; the code moves; another violation appears and is recorded.
    todo = project.path(TODO)
    todo.write_text(todo.read_text().replace("TODO: why this is tolerated", "legacy, see #12"))
    project.path(MODULE).write_text(
        f"{PRIVATE_IMPORT}\nfrom django.apps import apps\n\n{original}\n{LOOKUP}\n"
    )
    moved = project.run("--update-ratchet")

    assert moved.returncode == 0, moved.stdout
    assert moved.found("new") == set()
    assert [(e["check"], e["reason"]) for e in entries(project)] == [
        ("imports", "legacy, see #12"),
        ("string-references", "TODO: why this is tolerated"),
    ]

    # Both are fixed, but still listed: the list must shrink by hand (or by --update-ratchet).
    project.path(MODULE).write_text(original)
    fixed = project.run()

    assert fixed.returncode == 1
    stale = [v for v in fixed.report["violations"] if v["status"] == "stale"]
    assert {(v["file"], v["importer"], v["imported"]) for v in stale} == {
        (project.file(TODO), "shop.ordering.application.place_order", imported)
        for imported in ("shop.billing.infrastructure.models", "model billing.InvoiceRecord")
    }
    lines = project.path(TODO).read_text().splitlines()
    assert all(lines[v["line"] - 1] == "[[todo]]" for v in stale)
    assert all(v["message"].startswith("stale: remove it") for v in stale)
