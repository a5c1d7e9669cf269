"""Billing's extraction behind the strangler proxy, for real, as `make extract-demo` runs it.

`topology/extract.py demo` starts the monolith (every context under one supervisord) over
databases of its own, a private Redis and an nginx under a temporary prefix, then goes
monolith -> move-store -> shadow -> cutover -> rollback, checking each step's evidence
(docs/extracting-a-context.md): the shadow report's verdict and a planted mismatch, client
loops through every state change with no failed request, the saga through the proxy with
billing on its own service (paid, declined, out of stock, refunded, stock conserved, one
correlation id in both services' logs and, with tracing on into the demo's own OTLP
receiver, one trace), routes per prefix in nginx's and the services'
logs, `/_internal/` denied, billing SIGKILLed for 30 s with orders waiting and then
confirming with one invoice and one charge each, and after the rollback the monolith
serving the invoices written during the cutover with nothing undispatched or dead. It
exits 1 naming the first missing piece of evidence, and leaves nothing running.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shop.platform.proxy.nginx import INSTALL_HINT, find_binary

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.nginx]

EVIDENCE = [
    "shadow_report: go (every mirrored request matched)",
    "a planted difference (one shadow answer altered in a copy) is reported: no-go",
    "a client loop through shadow -> cutover:",
    "tok_declined: cancelled, invoice void",
    "cancel after payment: invoice refunded",
    "stock conserved:",
    "/_internal/ from outside: 404",
    "in shop's log and in billing's",  # one correlation id
    "across billing-worker, shop-web, shop-worker",  # one trace, tracing on
    "billing's queue grew:",
    "a client loop through cutover -> rollback:",
    "the invoice written during cutover is visible after rollback: paid",
    "events status: every context's outbox dispatched, no dead rows",
    "demo: every step's evidence is there",
]


def test_the_extraction_demo_shows_every_steps_evidence_and_leaves_nothing_running(tmp_path):
    if not find_binary():
        if os.environ.get("SHOP_TEST_REQUIRE_NGINX") == "1":
            pytest.fail(
                f"nginx is required (SHOP_TEST_REQUIRE_NGINX=1) but missing: {INSTALL_HINT}"
            )
        pytest.skip(f"needs nginx: {INSTALL_HINT}")
    env = {
        name: value
        for name, value in os.environ.items()
        if not (name.startswith("SHOP_") or name.startswith("PROMETHEUS_"))
    }
    env["SHOP_DATABASE_ADMIN_URL"] = os.environ["SHOP_DATABASE_ADMIN_URL"]
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    workdir = tmp_path / "extract"
    done = subprocess.run(
        [sys.executable, str(ROOT / "topology" / "extract.py"), "demo", "--workdir", str(workdir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    for line in EVIDENCE:
        assert line in output, f"no {line!r} in the demo's output:\n{output[-6000:]}"
    assert "MISSING" not in output
    # Nothing of the run is left: no process started from its work directory.
    left = [pid for pid in os.listdir("/proc") if pid.isdigit() and str(workdir) in _cmdline(pid)]
    assert left == [], left


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
