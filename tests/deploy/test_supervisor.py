"""supervisord runs web, worker and beat and restarts each on its own (ADR 0018).

docker/supervisord.conf is started through docker/entrypoint.sh, as the image and `make
run-prod` start it, over real processes: a private Redis, PostgreSQL or SQLite of the
test's own.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import signal
from pathlib import Path

import pytest
from tests.deploy.conftest import Deployment, container_env
from topology.processes import descendants

ROOT = Path(__file__).resolve().parents[2]
ORDER = {"lines": [{"sku": "MUG-CLASSIC", "quantity": 1}], "payment_token": "tok_visa"}


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(":", 1) for line in lines if line.strip() and not line.startswith("#"))


def test_the_supervisor_runs_exactly_the_procfile_lines_through_the_entrypoint():
    config = configparser.RawConfigParser()
    config.read(ROOT / "docker" / "supervisord.conf")
    programs = {
        section.removeprefix("program:"): config[section]
        for section in config.sections()
        if section.startswith("program:")
    }

    # The Procfile is where the commands are written; supervisord.conf only names them.
    assert set(programs) == set(procfile()) == {"web", "worker", "beat"}
    for name, program in programs.items():
        assert program["command"] == f"%(here)s/entrypoint.sh process {name}"
        # Started unless SHOP_PROCESSES leaves it out (the entrypoint sets the variable).
        assert program["autostart"] == f"%(ENV_SHOP_AUTOSTART_{name.upper()})s"
        assert program["autorestart"] == "true"
        assert program.getint("startretries") > 0
        assert program["stopasgroup"] == program["killasgroup"] == "true"
    assert config["eventlistener:stop-on-fatal"]["events"] == "PROCESS_STATE_FATAL"
    # The control socket is per data directory, never a fixed path shared by two shops.
    assert config["unix_http_server"]["file"] == "%(ENV_SHOP_DATA_DIR)s/supervisord.sock"


def pid_of(deployment: Deployment, name: str) -> int:
    """The pid of the Procfile process `name`: the outermost process running its command."""
    # Its first words without a variable: `gunicorn shop.site.wsgi --bind --workers`, or
    # `celery -A shop.site worker` (`beat`).
    signature = set([word for word in procfile()[name].split() if "$" not in word][:4])
    running = {}
    for pid in descendants(deployment.process.pid):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
        except OSError:
            continue
        if signature <= {Path(arg).name for arg in argv}:
            running[pid] = int(stat.rsplit(")", 1)[1].split()[1])  # its parent
    outermost = [pid for pid, parent in running.items() if parent not in running]
    assert len(outermost) == 1, f"{name}: {outermost or 'no such process'} under the entrypoint"
    return outermost[0]


@pytest.mark.postgres
def test_a_killed_worker_is_restarted_while_web_keeps_taking_orders_that_complete(
    deployment, eventually
):
    deployment.start()
    eventually(deployment.answering("/readyz"), timeout=180, interval=0.5)
    seeded = deployment.run("manage", "seed_demo", "--allow-production")
    assert seeded.returncode == 0, seeded.stderr
    status, _, body = deployment.call(
        "POST", "/api/v1/auth/token", {"username": "alice", "password": "alice"}
    )
    assert status == 200, body
    token = json.loads(body)["token"]

    def confirmed(order_id: str):
        def check():
            _, _, body = deployment.call("GET", f"/api/v1/orders/{order_id}", token=token)
            assert json.loads(body)["status"] == "confirmed", body

        return check

    status, _, body = deployment.call("POST", "/api/v1/orders", ORDER, token)
    assert status == 201, body
    eventually(confirmed(json.loads(body)["id"]), timeout=90, interval=0.2)  # a worker runs
    before = {name: pid_of(deployment, name) for name in ("web", "worker", "beat")}

    # The worker's whole process group: its main process and its pool, nothing left to clean up.
    os.killpg(os.getpgid(before["worker"]), signal.SIGKILL)

    placed = []
    for _ in range(5):
        status, _, body = deployment.call("POST", "/api/v1/orders", ORDER, token)
        assert status == 201, body  # web did not go down with the worker
        placed.append(json.loads(body)["id"])

    def worker_is_back():
        assert pid_of(deployment, "worker") != before["worker"]

    eventually(worker_is_back, timeout=60, interval=0.2)  # nobody restarted it by hand
    for order_id in placed:
        eventually(confirmed(order_id), timeout=90, interval=0.2)
    # Web and beat ran on untouched: one process's crash restarts that process only.
    assert pid_of(deployment, "web") == before["web"]
    assert pid_of(deployment, "beat") == before["beat"]

    # An operator sees the same through the control socket in the data directory (the new
    # worker counts as RUNNING once it stayed up `startsecs`).
    def all_running():
        status = deployment.run("ctl", "status")
        assert status.returncode == 0, status.stdout + status.stderr
        states = dict(re.findall(r"^(\S+)\s+(\S+)", status.stdout, re.MULTILINE))
        assert states == dict.fromkeys(("web", "worker", "beat", "stop-on-fatal"), "RUNNING")

    eventually(all_running, timeout=60, interval=0.5)


def test_a_process_that_keeps_failing_at_start_stops_the_shop_with_exit_1(tmp_path, private_redis):
    # gunicorn refuses this address at once, each time supervisord starts it.
    env = container_env(tmp_path, SHOP_REDIS_URL=private_redis.url, SHOP_BIND="127.0.0.1:x")
    deployment = Deployment(env, tmp_path / "entrypoint.log")
    try:
        deployment.start()
        returncode = deployment.process.wait(timeout=180)  # retries back off: 1 s, 2 s, ...
        output = deployment.output()
    finally:
        deployment.stop()

    assert returncode == 1, output[-4000:]
    assert output.count("spawned: 'web'") == 6  # the first start and startretries (5) more
    assert "gave up: web entered FATAL state" in output
    assert "web kept exiting at start (FATAL): stopped web, worker and beat" in output
    # The others were stopped, not abandoned: their processes are gone with supervisord.
    assert "stopped: worker" in output
    assert "stopped: beat" in output


def _states(deployment: Deployment) -> dict[str, str]:
    status = deployment.run("ctl", "status", timeout=60)
    return dict(re.findall(r"^(\S+)\s+([A-Z]+)", status.stdout, re.MULTILINE))


def test_shop_processes_starts_only_the_named_processes_and_ctl_starts_the_rest(
    tmp_path, private_redis, eventually
):
    env = container_env(tmp_path, SHOP_REDIS_URL=private_redis.url, SHOP_PROCESSES="web")
    deployment = Deployment(env, tmp_path / "entrypoint.log")
    try:
        deployment.start()
        eventually(deployment.answering("/healthz"), timeout=120, interval=0.5)

        def web_alone():
            assert _states(deployment) == {
                "web": "RUNNING",
                "worker": "STOPPED",
                "beat": "STOPPED",
                "stop-on-fatal": "RUNNING",
            }

        eventually(web_alone, timeout=30, interval=0.5)
        started = deployment.run("ctl", "start", "worker", timeout=60)
        assert started.returncode == 0, started.stdout + started.stderr
        eventually(lambda: _assert(_states(deployment)["worker"] == "RUNNING"), timeout=60)
        assert _states(deployment)["beat"] == "STOPPED"
    finally:
        deployment.stop()


@pytest.mark.parametrize("processes", ["web cron", " "])
def test_shop_processes_naming_no_known_process_is_refused_in_one_line(tmp_path, processes):
    deployment = Deployment(container_env(tmp_path, SHOP_PROCESSES=processes), tmp_path / "log")
    refused = deployment.run(timeout=60)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines()[-1].startswith("entrypoint: SHOP_PROCESSES")


def _assert(condition: bool) -> bool:
    assert condition
    return condition
