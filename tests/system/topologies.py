"""The shop under test, in one topology or another, driven only through its public API.

A system test talks to a `Shop`: it asks it for customers and stocked products, then
places, reads and cancels orders over HTTP as a customer would, and reads invoices and
stock through the API too. Whatever runs behind it, the test body is the same:

- `default` (`InProcessShop`): the embedded monolith in this test process; Django's test
  client, the inline transport's worker thread, the test databases of this run.
- `split` (`SplitShop`): the sample split for real, `topology/run.py` over a topology
  file: service `shop` (identity, catalog, inventory, ordering) and service `billing`
  (billing, its store in a database of its own), each its own gunicorn, Celery worker and
  beat under its own supervisord, over PostgreSQL databases and a Redis of this run's own.
  It is started once for the run and shared by every split test; each test takes fresh
  customers and products of its own, so tests never see each other's orders.

`pytest --topology=default,split` (the default) runs each system test in both;
`--topology=default` or `--topology=split` runs one.
"""

from __future__ import annotations

import itertools
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import psycopg
from django.conf import settings
from psycopg import sql
from tests.contexts import all_but

ROOT = Path(__file__).resolve().parents[2]
TOPOLOGIES = ("default", "split")
# The sample split (topology/split.toml): what each service hosts.
SERVICES = {"shop": all_but("billing"), "billing": ["billing"]}
STAFF = "staff"
PASSWORD = "system-test-password"  # noqa: S105 - a throwaway user of a throwaway database


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, read the way the tests read Django's test client's responses."""

    status_code: int
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


class Client(Protocol):
    def get(self, path: str) -> Any: ...

    def post(self, path: str, data: Any = None, format: str | None = None) -> Any: ...  # noqa: A002


class Shop(Protocol):
    topology: str

    def customers(self, count: int) -> list[Client]: ...

    def staff(self) -> Client: ...


def unique(sku: str) -> str:
    """A SKU no other test of the run uses (the split's stores outlive a test)."""
    return f"{sku}-{uuid.uuid4().hex[:8].upper()}"


class InProcessShop:
    """The default topology: this process hosts every context; the inline worker runs."""

    topology = "default"

    def __init__(self) -> None:
        self._numbers = itertools.count()

    def customers(self, count: int) -> list[Client]:
        return [self._client(f"customer{next(self._numbers)}") for _ in range(count)]

    def staff(self) -> Client:
        return self._client(STAFF, is_staff=True)

    @staticmethod
    def _client(username: str, *, is_staff: bool = False) -> Client:
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token
        from rest_framework.test import APIClient

        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": is_staff}
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0]}")
        return client


class HttpClient:
    """A customer (or staff) of running services: token authentication over plain HTTP.

    `route` gives the base URL of the service that serves a path, as the proxy in front of
    a split would.
    """

    def __init__(self, route: Callable[[str], str], token: str) -> None:
        self.route = route
        self.token = token

    def get(self, path: str) -> Answer:
        return self._call("GET", path, None)

    def post(self, path: str, data: Any = None, format: str | None = None) -> Answer:  # noqa: A002
        return self._call("POST", path, data)

    def put(self, path: str, data: Any = None, format: str | None = None) -> Answer:  # noqa: A002
        return self._call("PUT", path, data)

    def _call(self, method: str, path: str, body: Any) -> Answer:
        headers = {"Accept": "application/json", "Authorization": f"Token {self.token}"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - our own http:// URL
            self.route(path) + path, data, headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return Answer(response.status, response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read())


# Run in service shop (it hosts identity): the staff user and COUNT customers, with tokens.
_USERS = """
import json, sys
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
users = get_user_model()
names = {names!r}
made = {{}}
for name in names:
    user, _ = users.objects.get_or_create(username=name, defaults={{"is_staff": name == {staff!r}}})
    made[name] = Token.objects.get_or_create(user=user)[0].key
print("USERS " + json.dumps(made))
"""


class SplitShop:
    """The sample split, two services started by `topology/run.py`; `stop()` ends both."""

    topology = "split"

    def __init__(self, root: Path, redis_url: str) -> None:
        from tests.deploy.conftest import Deployment, container_env
        from tests.runtime.conftest import free_port

        self.root = root
        self.prefix = f"{os.environ.get('SHOP_DB_ROLE_PREFIX', 'shop')}_sys{secrets.token_hex(3)}"
        self.admin_url = os.environ["SHOP_DATABASE_ADMIN_URL"]
        shop_port, billing_port = free_port(), free_port()
        self.base_url = f"http://127.0.0.1:{shop_port}"
        self.urls = {"shop": self.base_url, "billing": f"http://127.0.0.1:{billing_port}"}
        self.host_of = {context: name for name, hosts in SERVICES.items() for context in hosts}
        self.topology_file = root / "split.toml"
        self.topology_file.write_text(
            "".join(
                f"[services.{name}]\nhosts = {json.dumps(hosts)}\nurl = {json.dumps(self.urls[name])}\n"
                for name, hosts in SERVICES.items()
            )
            + f'[stores]\nbilling = "postgresql://127.0.0.1:5432/{self.prefix}_billing"\n'
        )
        self.env = container_env(
            root,
            SHOP_DATABASE_URL=f"postgresql://127.0.0.1:5432/{self.prefix}",
            SHOP_DB_ROLE_PREFIX=self.prefix,
            SHOP_DATABASE_ADMIN_URL=self.admin_url,
            SHOP_REDIS_URL=redis_url,
            SHOP_BIND=f"127.0.0.1:{shop_port}",  # `manage` below runs as service shop
            SHOP_TOPOLOGY=str(self.topology_file),
            SHOP_SERVICE="shop",
            # Retries back off to at most a second: a test waits seconds, not minutes,
            # for an event that was not ready the first time.
            SHOP_EVENTS_BACKOFF_MAX_SECONDS="1",
        )
        self.log = root / "split.log"
        self.shop = Deployment(self.env, self.log)
        self._tokens: dict[str, str] = {}
        self._numbers = itertools.count()

    def start(self, timeout: float = 240) -> None:
        self.shop.process = subprocess.Popen(
            [sys.executable, str(ROOT / "topology" / "run.py"), str(self.topology_file)],
            cwd=self.root,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while "run: all services are up" not in self.shop.output():
            if self.shop.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the split did not start:\n{self.shop.output()[-4000:]}")
            time.sleep(0.5)
        # Enough customers for the whole run, made in one start of Django.
        self._make_users([STAFF, *(f"customer{n}" for n in range(200))])

    def customers(self, count: int) -> list[Client]:
        return [
            HttpClient(self.route, self._tokens[f"customer{next(self._numbers)}"])
            for _ in range(count)
        ]

    def staff(self) -> Client:
        return HttpClient(self.route, self._tokens[STAFF])

    def route(self, path: str) -> str:
        """The service that serves `path`: the one hosting the context whose view answers
        it (this process installs every context, so Django's resolver knows them all)."""
        from django.urls import Resolver404, resolve

        from shop.platform.contexts import context_of

        try:
            context = context_of(resolve(urlsplit(path).path).func.__module__)
        except (Resolver404, LookupError):
            return self.base_url
        return self.urls[self.host_of[context]]

    def _make_users(self, names: list[str]) -> None:
        made = self.shop.run("manage", "shell", "-c", _USERS.format(names=names, staff=STAFF))
        lines = [line for line in made.stdout.splitlines() if line.startswith("USERS ")]
        if made.returncode or not lines:
            raise RuntimeError(f"could not create the users:\n{made.stdout}\n{made.stderr}")
        self._tokens.update(json.loads(lines[-1].removeprefix("USERS ")))

    def stop(self) -> None:
        self.shop.stop()
        for dbname in (self.prefix, f"{self.prefix}_billing"):
            from shop.platform.db.provisioning import drop_database

            drop_database(self.admin_url, dbname)
        from shop.platform.db.config import DEFAULT_ALIAS, schema_for
        from shop.platform.db.provisioning import admin_connect

        with admin_connect(self.admin_url) as conn:
            for alias in (DEFAULT_ALIAS, *settings.SHOP_CONTEXTS):
                role = sql.Identifier(f"{self.prefix}_{schema_for(alias)}")
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(role))

    def billing_connection(self) -> psycopg.Connection:
        """Billing's own database, as billing's own role."""
        return psycopg.connect(
            host="127.0.0.1", dbname=f"{self.prefix}_billing", user=f"{self.prefix}_billing"
        )
