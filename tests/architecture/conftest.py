"""A throwaway copy of the project to plant violations in and run the gate on.

The copy holds `src/`, `manage.py`, `importlinter.ini` and the generated
`docs/architecture/`. `check_architecture` runs in a subprocess with the copy as working
directory and its `src` first on PYTHONPATH, so the gate reads, imports and writes
(ratchet files, docs) the copy, never the real tree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class GateRun:
    returncode: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        return json.loads(self.stdout)

    def found(self, status: str = "new") -> set[tuple[str, str, int]]:
        """(check, file, line) of every violation reported with `status`."""
        return {
            (v["check"], v["file"], v["line"])
            for v in self.report["violations"]
            if v["status"] == status
        }


@dataclass(frozen=True)
class ProjectCopy:
    root: Path

    def path(self, module_path: str) -> Path:
        return self.root / "src" / "shop" / module_path

    def file(self, module_path: str) -> str:
        """A module's path as the gate reports it."""
        return f"src/shop/{module_path}"

    def plant(self, module_path: str, *lines: str) -> list[int]:
        """Append `lines` to src/shop/<module_path> (creating it); return their line numbers."""
        path = self.path(module_path)
        existing = path.read_text().rstrip("\n").splitlines() if path.exists() else []
        path.write_text("\n".join([*existing, *lines]) + "\n")
        return list(range(len(existing) + 1, len(existing) + len(lines) + 1))

    def run(self, *args: str, output: str = "json") -> GateRun:
        env = {
            **os.environ,
            "PYTHONPATH": str(self.root / "src"),
            "SHOP_SECRET_KEY": "architecture-gate-test",
            "SHOP_DATA_DIR": str(self.root / "var"),
        }
        completed = subprocess.run(
            [sys.executable, "manage.py", "check_architecture", "--format", output, *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return GateRun(completed.returncode, completed.stdout, completed.stderr)


@pytest.fixture
def project(tmp_path: Path) -> ProjectCopy:
    shutil.copytree(
        ROOT / "src",
        tmp_path / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    for name in ("manage.py", "importlinter.ini"):
        shutil.copy2(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "docs" / "architecture", tmp_path / "docs" / "architecture")
    return ProjectCopy(tmp_path)
