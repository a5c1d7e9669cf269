"""``bounded_contexts`` is a real import-linter contract type: import-linter's own
``lint-imports`` runs it from the same importlinter.ini, kept or broken."""

from __future__ import annotations

import sys

from importlinter.cli import EXIT_STATUS_ERROR, EXIT_STATUS_SUCCESS, lint_imports

from .trees import CLEAN, line, write

APPLICATION = "acme/sales/application.py"


def _lint_imports(tree, monkeypatch) -> int:
    """lint-imports as run from the project's folder (it puts that folder on the path)."""
    monkeypatch.chdir(tree)
    monkeypatch.setattr(sys, "path", list(sys.path))
    return lint_imports(config_filename=str(tree / "importlinter.ini"), no_cache=True, no_logo=True)


def test_lint_imports_keeps_the_contract_of_the_clean_tree(tmp_path, monkeypatch, capsys):
    assert _lint_imports(write(tmp_path), monkeypatch) == EXIT_STATUS_SUCCESS

    out = capsys.readouterr().out
    assert "Acme's bounded contexts KEPT" in out
    assert "Contracts: 1 kept, 0 broken." in out


def test_lint_imports_breaks_it_on_a_private_import(tmp_path, monkeypatch, capsys):
    text = CLEAN[APPLICATION] + "from acme.apps.stock.models import Item  # planted\n"
    tree = write(tmp_path, {APPLICATION: text})

    assert _lint_imports(tree, monkeypatch) == EXIT_STATUS_ERROR

    out = capsys.readouterr().out
    assert "Acme's bounded contexts BROKEN" in out
    planted = line(text, "planted")
    assert f"acme.sales.application -> acme.apps.stock.models (l.{planted})" in out
