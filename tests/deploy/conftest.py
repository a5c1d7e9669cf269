"""The container's entrypoint run outside Docker: a fresh database, a private Redis, real processes.

`docker/entrypoint.sh` is started as a subprocess in a session of its own; it provisions
a database nobody else uses (its name and roles carry a unique prefix), migrates it and
starts supervisord, which runs the Procfile's web, worker and beat. Teardown stops every
one of those processes and drops the database and its roles.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from psycopg import sql
from tests.runtime.conftest import RedisServer, free_port
from topology.processes import descendants, group_of

from shop.platform.db.config import postgres_targets
from shop.platform.db.provisioning import admin_connect, drop_database

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"


class Deployment:
    """One run of the entrypoint, with the environment a container would be given."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.env['SHOP_BIND']}"

    def start(self, *command: str) -> None:
        # Started from elsewhere on purpose: the entrypoint must find the repository itself.
        self.process = subprocess.Popen(
            [str(ENTRYPOINT), *command],
            cwd=self.log.parent,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def run(self, *command: str, timeout: float = 120) -> subprocess.CompletedProcess:
        """The entrypoint for one command (`manage ...`), as `docker run IMAGE manage ...`."""
        return subprocess.run(
            [str(ENTRYPOINT), *command],
            cwd=self.log.parent,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def call(self, method: str, path: str, body=None, token: str | None = None):
        """One HTTP request to the web process: (status, content type, body text)."""
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        if token:
            headers["Authorization"] = f"Token {token}"
        request = urllib.request.Request(  # noqa: S310 - our own http:// URL
            self.base_url + path, data, headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return response.status, response.headers["Content-Type"], response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers["Content-Type"], error.read().decode()

    def answering(self, path: str):
        """A check for `eventually`: GET `path` is 200 (and the entrypoint is still running)."""

        def check() -> str:
            if self.process.poll() is not None:
                pytest.fail(f"the entrypoint exited:\n{self.output()[-4000:]}")
            try:
                status, _, body = self.call("GET", path)
            except OSError as exc:  # not listening yet
                raise AssertionError(exc) from exc
            assert status == 200, body
            return body

        return check

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def log_lines(self) -> list[dict]:
        """The JSON lines in the combined output (supervisord adds no prefix)."""
        lines = []
        for line in self.output().splitlines():
            if line.startswith("{"):
                try:
                    lines.append(json.loads(line))
                except ValueError:
                    pass
        return lines

    def stop(self) -> None:
        """SIGTERM the entrypoint as `docker stop` would, then SIGKILL whatever is left.

        supervisord starts each program in a process group of its own, so the groups of
        all descendants are noted first and killed after, whatever supervisord managed.
        """
        if self.process is None:
            return
        groups = {group_of(pid) for pid in descendants(self.process.pid)} - {None}
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        for group in groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fresh_database():
    """A database name and role prefix of this test's own; dropped, roles too, afterwards."""
    prefix = f"{os.environ.get('SHOP_DB_ROLE_PREFIX', 'shop')}_deploy{secrets.token_hex(3)}"
    url = f"postgresql://127.0.0.1:5432/{prefix}"
    admin_url = os.environ["SHOP_DATABASE_ADMIN_URL"]
    yield {"SHOP_DATABASE_URL": url, "SHOP_DB_ROLE_PREFIX": prefix}
    drop_database(admin_url, prefix)
    roles = postgres_targets(settings.SHOP_CONTEXTS, url, {"SHOP_DB_ROLE_PREFIX": prefix})
    with admin_connect(admin_url) as conn:
        for target in roles:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(target.role)))


def container_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """What the image sets, on this machine: production mode, celery transport, JSON logs."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        # Another store's URLs, passwords or debug mode would leak in from the test run.
        if not (name.startswith("SHOP_") or name.startswith("PROMETHEUS_"))
    }
    return {
        **inherited,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "SHOP_SECRET_KEY": "deploy-test-secret-key",
        # Served over plain HTTP here, as `make run-prod` does; a real container sits behind TLS.
        "SHOP_HTTPS": "0",
        "SHOP_EVENT_TRANSPORT": "celery",
        "SHOP_LOG_FORMAT": "json",
        "SHOP_BIND": f"127.0.0.1:{free_port()}",
        "SHOP_DATA_DIR": str(tmp_path / "var"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        "WEB_CONCURRENCY": "2",
        "WORKER_CONCURRENCY": "2",
        **overrides,
    }


@pytest.fixture
def deployment(tmp_path, fresh_database, private_redis):
    running = Deployment(
        container_env(
            tmp_path,
            **fresh_database,
            SHOP_DATABASE_ADMIN_URL=os.environ["SHOP_DATABASE_ADMIN_URL"],
            SHOP_REDIS_URL=private_redis.url,
        ),
        tmp_path / "entrypoint.log",
    )
    yield running
    running.stop()


@pytest.fixture
def sqlite_deployment(tmp_path):
    """The entrypoint with no SHOP_DATABASE_URL: the SQLite stores, in this test's directory."""
    running = Deployment(container_env(tmp_path), tmp_path / "entrypoint.log")
    yield running
    running.stop()
