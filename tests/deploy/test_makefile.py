"""The Makefile's recipes, read with `make --dry-run` (nothing is run)."""

from __future__ import annotations

import os
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


def test_make_run_split_runs_the_sample_topology_on_the_ports_asked_for():
    printed = subprocess.run(
        ["make", "--dry-run", "--always-make", "run-split", "PORT=9100", "BILLING_PORT=9101"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\\\n", " ")

    # The committed sample, its two service URLs moved to the ports asked for.
    assert "s#127.0.0.1:8000#127.0.0.1:9100#" in printed
    assert "s#127.0.0.1:8001#127.0.0.1:9101#" in printed
    assert "topology/split.toml > var/split/topology.toml" in printed
    [run] = [line for line in printed.splitlines() if "topology/run.py" in line]
    assert run.split()[-3:] == ["var/split/topology.toml", "--seed", "--collectstatic"]
    sample = (ROOT / "topology" / "split.toml").read_text()
    assert 'url = "http://127.0.0.1:8000"' in sample
    assert 'url = "http://127.0.0.1:8001"' in sample
    assert 'billing = "postgresql://127.0.0.1:5432/shop_billing"' in sample


def extract_step(tmp_path: Path, *make_args: str) -> str:
    """What `make extract` hands topology/extract.py: a stand-in virtualenv's python prints
    its arguments and the ports it was given, so nothing starts."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(
        '#!/bin/sh\necho "$* PORT=$PORT BILLING_PORT=$BILLING_PORT PROXY_PORT=$PROXY_PORT"\n'
    )
    python.chmod(0o755)
    (venv / ".installed-run").touch()  # newer than the lock files: nothing is installed
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PORT", "BILLING_PORT", "PROXY_PORT", "MAKEFLAGS"}
    }
    return subprocess.run(
        ["make", "--no-print-directory", "extract", f"VENV={venv}", *make_args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[-1]


def test_make_extract_hands_the_step_and_the_default_ports_to_the_extraction(tmp_path):
    assert (
        extract_step(tmp_path, "STEP=up")
        == "topology/extract.py up PORT=8000 BILLING_PORT=8001 PROXY_PORT=8080"
    )


def test_make_extract_hands_the_ports_asked_for_to_the_extraction(tmp_path):
    printed = extract_step(
        tmp_path, "STEP=shadow", "PORT=9100", "BILLING_PORT=9101", "PROXY_PORT=9180"
    )

    assert printed == "topology/extract.py shadow PORT=9100 BILLING_PORT=9101 PROXY_PORT=9180"
