"""docker/entrypoint.sh and the Procfile, run outside Docker the way the image runs them.

What the image adds on top (its filesystem, its user) cannot be checked without a
Docker engine; see docker/README.md for what is and is not verified.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.contexts import all_but, hosts
from tests.deploy.conftest import Deployment, container_env
from tests.runtime.conftest import free_port


@pytest.mark.postgres
def test_the_entrypoint_provisions_migrates_and_runs_web_worker_and_beat_that_settle_an_order(
    deployment, eventually
):
    deployment.start()  # no argument: the image's default, all three under supervisord

    readiness = json.loads(eventually(deployment.answering("/readyz"), timeout=180, interval=0.5))
    assert readiness["checks"]["broker"] == "ok"  # celery mode: /readyz pinged our Redis

    seeded = deployment.run("manage", "seed_demo", "--allow-production")
    assert seeded.returncode == 0, seeded.stderr
    status, _, body = deployment.call(
        "POST", "/api/v1/auth/token", {"username": "alice", "password": "alice"}
    )
    assert status == 200, body
    token = json.loads(body)["token"]

    status, _, body = deployment.call(
        "POST",
        "/api/v1/orders",
        {"lines": [{"sku": "MUG-CLASSIC", "quantity": 2}], "payment_token": "tok_visa"},
        token,
    )
    assert status == 201, body
    order_id = json.loads(body)["id"]

    def confirmed():
        status, _, body = deployment.call("GET", f"/api/v1/orders/{order_id}", token=token)
        assert status == 200, body
        assert json.loads(body)["status"] == "confirmed"

    eventually(confirmed, timeout=90, interval=0.2)  # web placed it, the worker ran the saga

    def beat_sent_the_relay_sweep():
        assert any(
            line.get("logger") == "celery.beat" and "events.relay-sweep" in line.get("event", "")
            for line in deployment.log_lines()
        )

    eventually(beat_sent_the_relay_sweep, timeout=60, interval=0.2)

    status, content_type, metrics = deployment.call("GET", "/metrics")
    assert status == 200
    assert content_type.startswith("text/plain")
    assert 'shop_outbox_pending{context="ordering"}' in metrics


def test_the_entrypoint_runs_one_procfile_process_alone_when_named(sqlite_deployment, eventually):
    sqlite_deployment.start("web")

    eventually(sqlite_deployment.answering("/healthz"), timeout=120, interval=0.2)

    # The Procfile's web line was exec'd in place of the entrypoint: no process supervisor.
    cmdline = Path(f"/proc/{sqlite_deployment.process.pid}/cmdline").read_bytes().split(b"\0")
    assert any(part.endswith(b"gunicorn") for part in cmdline), cmdline
    assert not any(b"supervisord" in part for part in cmdline)


def test_the_entrypoint_gives_up_on_an_unreachable_postgres_naming_it_and_no_password(tmp_path):
    port = free_port()  # nothing listens there
    env = container_env(
        tmp_path,
        SHOP_DATABASE_URL=f"postgresql://127.0.0.1:{port}/shop",
        SHOP_DATABASE_ADMIN_URL=f"postgresql://postgres:hunter2@127.0.0.1:{port}/postgres",
        SHOP_DB_WAIT_SECONDS="0",
    )

    finished = Deployment(env, tmp_path / "entrypoint.log").run(timeout=60)

    assert finished.returncode != 0
    assert "PostgreSQL not reachable" in finished.stderr
    assert str(port) in finished.stderr
    assert "hunter2" not in finished.stderr + finished.stdout
    assert "== default" not in finished.stdout  # nothing was migrated


def test_a_service_without_identity_waits_for_its_own_store_not_default(tmp_path):
    port = free_port()  # billing's store: nothing listens there
    topology = tmp_path / "split.toml"
    topology.write_text(
        f"[services.shop]\n{hosts(all_but('billing'))}\n"
        'url = "http://127.0.0.1:1"\n[services.billing]\nhosts = ["billing"]\n'
        f'url = "http://127.0.0.1:2"\n[stores]\nbilling = "postgresql://127.0.0.1:{port}/b"\n'
    )
    env = container_env(
        tmp_path,
        SHOP_DATABASE_URL="postgresql://127.0.0.1:5432/shop_unused",
        SHOP_DB_ROLE_PREFIX="waits",
        SHOP_TOPOLOGY=str(topology),
        SHOP_SERVICE="billing",
        SHOP_DB_WAIT_SECONDS="0",
    )

    finished = Deployment(env, tmp_path / "entrypoint.log").run("manage", "check", timeout=60)

    assert finished.returncode != 0
    assert f"role waits_billing on 127.0.0.1:{port}/b" in finished.stderr, finished.stderr
