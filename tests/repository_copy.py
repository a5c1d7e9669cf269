"""The repository as a clean checkout has it, copied for a test that changes files.

Tracked files only: whatever a working tree holds besides (caches, `var/`, the virtualenv,
files not yet added) stays behind, so a test sees what a fresh clone would.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def tracked_copy(target: Path) -> Path:
    """Copy the repository's tracked files into `target`; returns `target`."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_symlink() or source.is_file():
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination, follow_symlinks=False)
    return target
