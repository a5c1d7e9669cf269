"""The static run needs neither Django, nor the project's dependencies, nor any environment
variable: run in an interpreter that has only contextgate and import-linter, with an empty
environment, it still finds a planted cross-context ForeignKey in models importing both."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import contextgate

from .trees import CLEAN, line, write

# What the static run may import: contextgate, import-linter and grimp, and import-linter's
# own dependencies (click, rich and rich's).
PACKAGES = ("importlinter", "grimp", "click", "rich", "markdown_it", "mdurl", "pygments")

MODELS = CLEAN["acme/sales/models.py"] + (
    "\n\nimport payments_sdk\n"
    "from payments_sdk.fields import MoneyField\n\n\n"
    "class Payment(models.Model):\n"
    "    amount = MoneyField()\n"
    '    item = models.ForeignKey("warehouse.Item", on_delete=models.PROTECT)  # planted\n'
)


def _interpreter_without_django(folder: Path) -> Path:
    """A virtual environment whose only packages are symlinks to contextgate and its
    dependencies, listed by a .pth file."""
    venv = [sys.executable, "-m", "venv", "--without-pip", str(folder / "env")]
    subprocess.run(venv, check=True)  # noqa: S603
    links = folder / "packages"
    links.mkdir()
    (links / "contextgate").symlink_to(Path(contextgate.__file__).parent)
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.submodule_search_locations, name
        (links / name).symlink_to(spec.submodule_search_locations[0])
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site_packages = folder / "env" / "lib" / version / "site-packages"
    (site_packages / "contextgate-only.pth").write_text(f"{links}\n")
    return folder / "env" / "bin" / "python"


def test_the_static_run_needs_no_django_no_dependency_and_no_environment(tmp_path):
    python = _interpreter_without_django(tmp_path)
    tree = write(tmp_path / "project", {"acme/sales/models.py": MODELS})

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [str(python), *args], env={}, cwd=tmp_path, capture_output=True, text=True
        )

    for missing in ("django", "payments_sdk"):
        imported = run("-c", f"import {missing}")
        assert imported.returncode == 1
        assert f"No module named '{missing}'" in imported.stderr

    gate = run("-m", "contextgate.cli", "check", str(tree), "--format", "json")

    assert gate.returncode == 1, gate.stderr
    violations = json.loads(gate.stdout)["violations"]
    assert [(v["check"], v["file"], v["line"], v["imported"]) for v in violations] == [
        ("orm-relations", "acme/sales/models.py", line(MODELS, "# planted"), "warehouse.Item")
    ]
