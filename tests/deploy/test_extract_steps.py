"""topology/extract.py's steps, on a work directory alone: the topology files a step writes."""

from __future__ import annotations

import importlib
import json
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MONOLITH_DB = "postgresql://127.0.0.1:5432/shop_steps"


@pytest.fixture
def extract(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "topology"))  # it imports processes beside it
    return importlib.import_module("extract")


def up_writes(extract, workdir: Path, monkeypatch) -> dict:
    """Step up until it would start the monolith: the monolith's topology file it wrote."""
    run = extract.Extraction(workdir, {"SHOP_DATABASE_URL": MONOLITH_DB})

    def no_processes(*args, **kwargs):
        raise extract.Missing("this test starts no service")

    monkeypatch.setattr(run.shop, "start", no_processes)
    with pytest.raises(extract.Missing, match="this test starts no service"):
        run.up()
    return tomllib.loads((workdir / "monolith.toml").read_text())


def test_up_on_a_new_work_directory_keeps_billing_in_the_monoliths_database(
    extract, tmp_path, monkeypatch
):
    monolith = up_writes(extract, tmp_path, monkeypatch)

    assert "billing" in monolith["services"]["shop"]["hosts"]
    assert "stores" not in monolith


def test_up_again_after_the_store_moved_keeps_the_monolith_on_billings_own_store(
    extract, tmp_path, monkeypatch
):
    # As `down` leaves it after move-store: nothing running, the store moved. The old
    # copy is closed to every role, so a monolith pointed back at it cannot start.
    (tmp_path / "extract.json").write_text(json.dumps({"state": None, "moved": True, "pids": {}}))

    monolith = up_writes(extract, tmp_path, monkeypatch)

    assert "billing" in monolith["services"]["shop"]["hosts"]
    assert monolith["stores"] == {"billing": f"{MONOLITH_DB}_billing"}
