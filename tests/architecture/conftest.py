"""A throwaway copy of the project to plant violations in, and the gate in both modes on it.

The copy holds `src/`, `manage.py` and `importlinter.ini`. The static gate runs in process
on the copy's folder (it imports nothing of it); the Django mode runs `manage.py
contextgate` in a subprocess with the copy's `src` first on PYTHONPATH, so Django loads
the copy's models, never the real tree's.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contextgate import cli

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

    @property
    def violations(self) -> list[dict[str, Any]]:
        """Every violation reported, without the fix text (the same in both modes)."""
        return sorted(
            (
                {k: v for k, v in found.items() if k != "hint"}
                for found in self.report["violations"]
            ),
            key=lambda v: (v["file"], v["line"], v["check"], v["imported"]),
        )


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

    def static(self, *args: str) -> GateRun:
        """`contextgate check` on the copy, in process."""
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["check", str(self.root), "--format", "json", *args])
        return GateRun(code, out.getvalue(), err.getvalue())

    def django(self, *args: str) -> GateRun:
        """`manage.py contextgate` on the copy, with Django's app registry of the copy."""
        env = {
            **os.environ,
            "PYTHONPATH": str(self.root / "src"),
            "SHOP_DEBUG": "1",
            "SHOP_DATA_DIR": str(self.root / "var"),
        }
        completed = subprocess.run(
            [sys.executable, "manage.py", "contextgate", "--format", "json", *args],
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
    return ProjectCopy(tmp_path)
