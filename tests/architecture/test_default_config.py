"""importlinter.ini is the one declaration: plain `lint-imports` finds it, and the contexts the
shop installs are the contexts it declares."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from contextgate.declaration import read

ROOT = Path(__file__).resolve().parents[2]


def test_the_default_config_file_is_the_shipped_one():
    default = ROOT / ".importlinter"
    assert default.is_symlink(), ".importlinter must link to importlinter.ini"
    assert default.resolve() == (ROOT / "importlinter.ini").resolve()


def test_the_installed_contexts_are_the_declared_ones():
    declaration, _ = read(ROOT)

    assert [(c.label, c.package) for c in declaration.contexts] == [
        (label, f"shop.{label}") for label in settings.SHOP_CONTEXTS
    ]
