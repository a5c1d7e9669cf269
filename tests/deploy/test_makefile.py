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
