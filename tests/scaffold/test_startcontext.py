"""manage.py startcontext: a new context that the gate, the tests and the docs accept at once,
and a clear one-line refusal, with nothing written, for a name that cannot be one."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from tests.repository_copy import tracked_copy as _tracked_copy

from shop.site.management.commands import startcontext

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def _env(copy: Path) -> dict[str, str]:
    """The copy's own settings: none of this run's SHOP_* variables, so an inner test run
    never shares (or drops) the outer run's PostgreSQL test database; it runs on SQLite."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("SHOP_")},
        "PYTHONPATH": str(copy / "src"),
        "SHOP_DEBUG": "1",
        "SHOP_DATA_DIR": str(copy / "var"),
    }


def _run(copy: Path, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=copy, env=_env(copy), capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def shipping(tmp_path_factory) -> Path:
    copy = _tracked_copy(tmp_path_factory.mktemp("repository"))
    done = _run(copy, PYTHON, "manage.py", "startcontext", "shipping", "--aggregate", "Shipment")
    assert done.returncode == 0, done.stderr
    return copy


def test_it_writes_the_whole_anatomy_and_wires_the_context_in(shipping):
    package = shipping / "src" / "shop" / "shipping"
    for module in (
        "api.py",
        "events.py",
        "domain/shipment.py",
        "application/open_shipment.py",
        "infrastructure/models.py",
        "infrastructure/repository.py",
        "subscribers.py",
        "rest/views.py",
        "migrations/0001_initial.py",
        "admin.py",
        "architecture_todo.toml",
    ):
        assert (package / module).is_file(), module
    assert sorted(p.name for p in (shipping / "tests" / "shipping").glob("test_*.py")) == [
        "test_shipment_rules.py",
        "test_shipping_api.py",
        "test_shipping_system.py",
        "test_shipping_use_cases.py",
    ]
    settings_text = (shipping / "src/shop/site/settings/core.py").read_text()
    assert 'SHOP_CONTEXTS = ["catalog", "inventory", "ordering", "billing", "shipping"]' in (
        settings_text
    )
    assert "    shop.shipping\n" in (shipping / "importlinter.ini").read_text()
    assert '"ordering", "shipping"]' in (shipping / "topology/split.toml").read_text()
    assert "(contexts/shipping.md)" in (shipping / "docs/README.md").read_text()
    assert (shipping / "docs/contexts/shipping.md").is_file()
    assert "shipping" in (shipping / "docs/architecture/context-map.md").read_text()
    assert (shipping / "docs/architecture/contexts/shipping.md").is_file()


def test_the_gate_passes_in_both_modes_with_no_ratchet_entry_and_the_docs_are_current(shipping):
    static = _run(shipping, str(Path(PYTHON).with_name("contextgate")), "check", ".")
    django = _run(shipping, PYTHON, "manage.py", "contextgate")
    docs = _run(shipping, PYTHON, "manage.py", "contextgate_docs", "--check")

    assert static.returncode == 0, static.stdout
    assert "0 tolerated" in static.stdout
    assert django.returncode == 0, django.stdout + django.stderr
    assert docs.returncode == 0, docs.stdout + docs.stderr


def test_its_tests_and_the_ones_that_count_contexts_pass_and_lint_is_clean(shipping):
    tests = _run(
        shipping,
        PYTHON,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/shipping",
        "tests/architecture/test_api_returns_no_orm_objects.py",
        "tests/architecture/test_default_config.py",
        "tests/architecture/test_gate_ratchet.py",
        "tests/docs",
    )
    ruff = str(Path(PYTHON).with_name("ruff"))
    lint = _run(shipping, ruff, "check", "src/shop/shipping", "tests/shipping")
    formatted = _run(shipping, ruff, "format", "--check", "src/shop/shipping", "tests/shipping")

    assert tests.returncode == 0, tests.stdout[-3000:]
    assert lint.returncode == 0, lint.stdout
    assert formatted.returncode == 0, formatted.stdout


@pytest.mark.parametrize(
    ("name", "aggregate", "says"),
    [
        ("Shipping", None, "is not a valid context name"),
        ("2fast", None, "is not a valid context name"),
        ("ship-ping", None, "is not a valid context name"),
        ("class", None, "is a reserved word"),
        ("match", None, "is a reserved word"),
        ("platform", None, "is a reserved word"),
        ("catalog", None, "is a context already"),
        ("auth", None, "is the label of an installed app already"),
        ("json", None, "is the name of an existing Python module"),
        ("celery", None, "is the name of an existing Python module"),
        ("shipping", "shipment", "is not a valid aggregate name"),
    ],
)
def test_a_name_that_cannot_be_a_context_is_one_line_and_writes_nothing(
    name, aggregate, says, monkeypatch, tmp_path
):
    copy = _wiring_copy(tmp_path, monkeypatch)
    before = _snapshot(copy)

    with pytest.raises(CommandError) as refused:
        call_command("startcontext", name, *(["--aggregate", aggregate] if aggregate else []))

    assert says in str(refused.value)
    assert "\n" not in str(refused.value)
    assert _snapshot(copy) == before


def test_a_failure_halfway_takes_back_everything_written(monkeypatch, tmp_path):
    copy = _wiring_copy(tmp_path, monkeypatch)
    before = _snapshot(copy)

    def failing(*command: str) -> None:
        raise CommandError(f"manage.py {command[0]} failed: boom: nothing written")

    monkeypatch.setattr(startcontext, "_run", failing)

    with pytest.raises(CommandError, match="makemigrations failed"):
        call_command("startcontext", "shipping")

    assert _snapshot(copy) == before


def test_a_file_that_no_longer_lists_the_contexts_is_refused_before_anything_is_written(
    monkeypatch, tmp_path
):
    copy = _wiring_copy(tmp_path, monkeypatch)
    (copy / "topology" / "split.toml").write_text("# no services here\n")
    before = _snapshot(copy)

    with pytest.raises(CommandError, match="cannot find where topology/split.toml lists"):
        call_command("startcontext", "shipping")

    assert _snapshot(copy) == before


def _wiring_copy(tmp_path: Path, monkeypatch) -> Path:
    """The files startcontext reads and edits, in a folder the command takes as the root."""
    for name in (
        "scaffold",
        "src/shop/site/settings/core.py",
        "importlinter.ini",
        "topology/split.toml",
        "docs/README.md",
    ):
        source, target = ROOT / name, tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    monkeypatch.setattr(startcontext, "ROOT", tmp_path)
    monkeypatch.setattr(startcontext, "TEMPLATE", tmp_path / "scaffold" / "context")
    return tmp_path


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        if path.is_file()
        else "folder"
        for path in sorted(folder.rglob("*"))
    }
