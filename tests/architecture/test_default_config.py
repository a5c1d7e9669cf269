"""Plain `lint-imports` (no --config) reads the shipped contracts: .importlinter is importlinter.ini."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_default_config_file_is_the_shipped_one():
    default = ROOT / ".importlinter"
    assert default.is_symlink(), ".importlinter must link to importlinter.ini"
    assert default.resolve() == (ROOT / "importlinter.ini").resolve()
