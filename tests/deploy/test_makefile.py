"""The Makefile's recipes, read with `make --dry-run` (nothing is run)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def recipe(target: str) -> list[str]:
    """The commands `make TARGET` would run, continuation lines joined."""
    printed = subprocess.run(
        ["make", "--dry-run", "--always-make", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return printed.replace("\\\n", " ").splitlines()


def test_make_run_starts_gunicorn_without_a_control_socket_in_the_home_directory():
    [gunicorn] = [line for line in recipe("run") if "bin/gunicorn " in line]

    # Without it gunicorn puts its control socket at one fixed path in the home
    # directory, which two copies of the shop on one host would share.
    assert "--no-control-socket" in gunicorn.split()
