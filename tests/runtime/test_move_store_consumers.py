"""With the Celery transport, move_store asks the broker whether billing's consumers are
stopped: a real worker consuming billing's queue makes it refuse; once that worker is
stopped, the same store moves. A broker that cannot be asked is a refusal too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import override_settings
from tests.platform.scratch_stores import ADMIN_URL, BILLING, scratch_store, state
from tests.runtime.conftest import ROOT, free_port

from shop.platform.db.moving import checks


def asking(broker_url: str) -> Celery:
    """The shop's Celery configuration on another broker: what move_store asks through."""
    app = Celery("move-store-test")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.broker_url = broker_url
    return app


@pytest.fixture
def celery_transport(monkeypatch):
    events = {**settings.SHOP_EVENTS, "transport": "celery"}
    with override_settings(SHOP_EVENTS=events):
        yield lambda url: monkeypatch.setattr(checks, "current_app", asking(url))


def start_billing_worker(broker, log: Path) -> subprocess.Popen:
    celery = Path(sys.executable).with_name("celery")
    return subprocess.Popen(
        [
            str(celery),
            "-A",
            "shop.site",
            "worker",
            "--queues",
            BILLING,
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--hostname",
            "billing-consumer@%h",
        ],
        cwd=ROOT,
        env={**os.environ, "SHOP_EVENT_TRANSPORT": "celery", "SHOP_REDIS_URL": broker.url},
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_answering(app: Celery, deadline: float) -> None:
    while time.monotonic() < deadline:
        if app.control.inspect(timeout=0.5).ping():
            return
    raise AssertionError("the worker never answered a ping")


@pytest.mark.postgres
def test_a_running_consumer_of_billings_queue_stops_the_move_until_it_is_stopped(
    redis_server, celery_transport, monkeypatch, django_db_blocker, tmp_path
):
    celery_transport(redis_server.url)
    worker = start_billing_worker(redis_server, tmp_path / "worker.log")
    try:
        with django_db_blocker.unblock(), scratch_store(monkeypatch) as scratch:
            target = scratch.database("billing")
            wait_until_answering(checks.current_app, time.monotonic() + 30)
            before = state(scratch, target)
            with pytest.raises(CommandError) as caught:
                call_command(
                    "move_store",
                    BILLING,
                    "--to",
                    scratch.url(target),
                    admin_url=ADMIN_URL,
                    stdout=StringIO(),
                )
            message = str(caught.value)
            assert "\n" not in message
            assert "the consumers are still running (worker billing-consumer@" in message
            assert "consumes queue billing" in message
            assert state(scratch, target) == before

            os.killpg(worker.pid, signal.SIGKILL)  # stopped: it answers nobody any more
            worker.wait(10)
            out = StringIO()
            call_command(
                "move_store", BILLING, "--to", scratch.url(target), admin_url=ADMIN_URL, stdout=out
            )
            assert f"billing's store is now {scratch.url(target)}" in out.getvalue()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)


def test_a_broker_that_cannot_be_asked_is_a_refusal(celery_transport, monkeypatch):
    monkeypatch.setenv("SHOP_DATABASE_URL", "postgresql://127.0.0.1:5432/shop_never_touched")
    celery_transport(f"redis://127.0.0.1:{free_port()}/0")
    with pytest.raises(CommandError) as caught:
        call_command(
            "move_store",
            BILLING,
            "--to",
            "postgresql://127.0.0.1:5432/x",
            admin_url="postgresql://postgres@127.0.0.1:1/postgres",
            stdout=StringIO(),
        )
    assert str(caught.value).startswith(
        "billing's store was not moved (nothing changed): cannot ask the broker whether the "
        "consumers of billing, events are stopped: OperationalError"
    )
