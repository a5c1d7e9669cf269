"""Real processes for the production runtime: a private Redis and Celery workers.

Each test gets its own redis-server on a free port (so stopping it disturbs nobody)
and can start workers as subprocesses that use the test database.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import current_app
from django.conf import settings
from django.db import connections
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.tmp = tmp
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def kill(self) -> None:
        """SIGKILL: the server vanishes mid-conversation, no reply to anyone, no clean close."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class Worker:
    """`celery worker` (with its embedded beat) on the test database and the private Redis."""

    def __init__(
        self, redis: RedisServer, log: Path, extra_env: dict[str, str], concurrency: int = 2
    ) -> None:
        self.redis = redis
        self.log = log
        self.extra_env = extra_env
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "SHOP_EVENT_TRANSPORT": "celery",
            "SHOP_REDIS_URL": self.redis.url,
            "SHOP_EVENTS_SWEEP_SECONDS": "0.5",
            # Retries back off to at most 2 s here, so a test waits seconds, not minutes.
            "SHOP_EVENTS_BACKOFF_MAX_SECONDS": "2",
            # A message lost after dispatch (a worker killed between taking it and recording
            # it) is sent again after 5 s here, not 10 minutes.
            "SHOP_EVENTS_REDELIVER_AFTER_SECONDS": "5",
            "SHOP_LOG_FORMAT": "json",
            **self.extra_env,
        }
        if settings.SHOP_USES_POSTGRES:
            dbname = connections["default"].settings_dict["NAME"]
            env["SHOP_DATABASE_URL"] = f"postgresql://127.0.0.1:5432/{dbname}"
        return env

    def start(self) -> None:
        celery = Path(sys.executable).with_name("celery")
        self.process = subprocess.Popen(
            [
                str(celery),
                "-A",
                "shop.site",
                "worker",
                "--beat",
                "--schedule",
                str(self.log.with_suffix(".beat")),
                "--queues",
                ",".join(settings.CELERY_WORKER_QUEUES),
                "--concurrency",
                str(self.concurrency),
                "--without-gossip",
                "--without-mingle",
                "--loglevel",
                self.extra_env.get("SHOP_LOG_LEVEL", "INFO"),
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def lines(self) -> list[dict]:
        """The JSON log lines the worker wrote so far."""
        parsed = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    parsed.append(json.loads(line))
                except ValueError:
                    pass
        return parsed

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool): nothing gets to clean up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def celery_mode(redis_server, transactional_db):
    """This process publishes with the celery transport into the private Redis."""
    previous = current_app.conf.broker_url
    current_app.conf.broker_url = redis_server.url
    current_app.pool.force_close_all(close_pool=False)
    events = {**settings.SHOP_EVENTS, "transport": "celery"}
    with override_settings(SHOP_EVENTS=events, CELERY_BROKER_URL=redis_server.url):
        yield redis_server
    current_app.pool.force_close_all(close_pool=False)
    current_app.conf.broker_url = previous


@pytest.fixture
def start_worker(celery_mode, tmp_path):
    workers: list[Worker] = []

    def start(concurrency: int = 2, **env: str) -> Worker:
        worker = Worker(celery_mode, tmp_path / f"worker{len(workers)}.log", env, concurrency)
        worker.start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
