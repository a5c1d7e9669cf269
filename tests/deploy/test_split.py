"""The sample split run for real: two services, each started by docker/entrypoint.sh.

`topology/run.py` (what `make run-split` runs) starts service `shop` (identity and every
context but billing) and service `billing` (billing, its store in a database of its own),
each provisioning and migrating only what it hosts, then running its own web, worker and
beat under its own supervisord; a private Redis, PostgreSQL databases of this test's own.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from psycopg import sql
from tests.contexts import all_but, contexts_but
from tests.deploy.conftest import Deployment, container_env
from tests.runtime.conftest import RedisServer, free_port

from shop.platform.db.config import DEFAULT_ALIAS, schema_for
from shop.platform.db.provisioning import admin_connect, drop_database

ROOT = Path(__file__).resolve().parents[2]
SHOP_HOSTS = all_but("billing")


def split_topology(path: Path, shop_port: int, billing_port: int, billing_store: str) -> Path:
    path.write_text(
        f'[services.shop]\nhosts = {json.dumps(SHOP_HOSTS)}\nurl = "http://127.0.0.1:{shop_port}"\n'
        f'[services.billing]\nhosts = ["billing"]\nurl = "http://127.0.0.1:{billing_port}"\n'
        f'[stores]\nbilling = "{billing_store}"\n'
    )
    return path


class Split(Deployment):
    """topology/run.py over a topology file; `call` talks to service shop."""

    def start(self, topology: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "topology" / "run.py"), str(topology), "--seed"],
            cwd=self.log.parent,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@pytest.fixture(scope="module")
def split_databases():
    """This module's shared database and billing's own; both dropped, roles too, afterwards."""
    prefix = f"{os.environ.get('SHOP_DB_ROLE_PREFIX', 'shop')}_split{secrets.token_hex(3)}"
    admin_url = os.environ["SHOP_DATABASE_ADMIN_URL"]
    yield prefix
    for dbname in (prefix, f"{prefix}_billing"):
        drop_database(admin_url, dbname)
    with admin_connect(admin_url) as conn:
        for alias in (DEFAULT_ALIAS, *settings.SHOP_CONTEXTS):
            role = sql.Identifier(f"{prefix}_{schema_for(alias)}")
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(role))


@pytest.fixture(scope="module")
def split_redis(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@dataclass
class Running:
    """The sample split, started once for this module: both services up and seeded."""

    split: Split
    env: dict[str, str]
    root: Path
    prefix: str
    shop_port: int
    billing_port: int
    redis: RedisServer
    token: str = ""

    def ctl(self, *args: str, service: str = "billing") -> subprocess.CompletedProcess:
        """supervisorctl ARGS against the service's own supervisord (billing's unless told)."""
        there = Deployment({**self.env, "SHOP_SERVICE": service}, self.split.log)
        return there.run("ctl", *args, timeout=90)

    def place(self, quantity: int = 1, payment: str = "tok_visa") -> str:
        status, _, body = self.split.call(
            "POST",
            "/api/v1/orders",
            {"lines": [{"sku": "MUG-CLASSIC", "quantity": quantity}], "payment_token": payment},
            self.token,
        )
        assert status == 201, body
        return json.loads(body)["id"]

    def status_of(self, order_id: str) -> str:
        _, _, body = self.split.call("GET", f"/api/v1/orders/{order_id}", token=self.token)
        return json.loads(body)["status"]

    def on_hand(self) -> int:
        status, _, body = self.split.call("GET", "/api/v1/stock/MUG-CLASSIC", token=self.token)
        assert status == 200, body
        return json.loads(body)["on_hand"]

    def payments(self, order_ids) -> dict[str, tuple[str, int, int]]:
        """Per order, from billing's own database as billing's role: (invoice status,
        payments recorded, PaymentCaptured events written)."""
        schema = sql.Identifier(schema_for("billing"))
        query = sql.SQL(
            "SELECT i.order_id, i.status,"
            " (SELECT count(*) FROM {s}.billing_payment p WHERE p.invoice_id = i.id),"
            " (SELECT count(*) FROM {s}.billing_outbox o"
            "   WHERE o.event_type = 'billing.PaymentCaptured' AND o.subject = i.order_id)"
            " FROM {s}.billing_invoice i WHERE i.order_id = ANY(%s)"
        ).format(s=schema)
        with psycopg.connect(
            host="127.0.0.1", dbname=f"{self.prefix}_billing", user=f"{self.prefix}_billing"
        ) as own:
            rows = own.execute(query, [list(order_ids)]).fetchall()
        return {order_id: (status, paid, captured) for order_id, status, paid, captured in rows}

    def inbox(self, order_id: str) -> dict[str, tuple[str, int, str]]:
        """Billing's inbox rows for the order's events, as billing's role: per handler,
        (status, attempts, last error)."""
        query = sql.SQL(
            "SELECT handler, status, attempts, last_error FROM {s}.billing_inbox"
            " WHERE subject = %s ORDER BY handler"
        ).format(s=sql.Identifier(schema_for("billing")))
        with psycopg.connect(
            host="127.0.0.1", dbname=f"{self.prefix}_billing", user=f"{self.prefix}_billing"
        ) as own:
            rows = own.execute(query, [order_id]).fetchall()
        handlers = [handler for handler, *_ in rows]
        assert len(handlers) == len(set(handlers)), rows  # one row per event and handler
        return {handler: (status, attempts, error) for handler, status, attempts, error in rows}


def _wait(check, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(interval)


@pytest.fixture(scope="module")
def running(tmp_path_factory, split_databases, split_redis):
    prefix = split_databases
    tmp_path = tmp_path_factory.mktemp("split")
    shop_port, billing_port = free_port(), free_port()
    topology = split_topology(
        tmp_path / "split.toml",
        shop_port,
        billing_port,
        f"postgresql://127.0.0.1:5432/{prefix}_billing",
    )
    env = container_env(
        tmp_path,
        SHOP_DATABASE_URL=f"postgresql://127.0.0.1:5432/{prefix}",
        SHOP_DB_ROLE_PREFIX=prefix,
        SHOP_DATABASE_ADMIN_URL=os.environ["SHOP_DATABASE_ADMIN_URL"],
        SHOP_REDIS_URL=split_redis.url,
        SHOP_BIND=f"127.0.0.1:{shop_port}",  # `call` and `manage` below: service shop
        SHOP_TOPOLOGY=str(topology),
        SHOP_SERVICE="shop",
        WEB_CONCURRENCY="1",
        WORKER_CONCURRENCY="1",
        # A SIGKILLed worker's taken, unacknowledged messages come back after the broker's
        # visibility timeout, and retries back off to at most 2 s: seconds here, not an
        # hour (production keeps the timeout above the longest retry delay, as here).
        SHOP_CELERY_VISIBILITY_TIMEOUT="10",
        SHOP_EVENTS_BACKOFF_MAX_SECONDS="2",
        # Each charge takes a second at the (fake) provider: ten orders keep billing's
        # worker busy for ten, so a kill lands mid-saga, with a charge in hand.
        SHOP_FAKE_PAYMENTS_LATENCY_SECONDS="1",
        # Billing's calls to a service shop that is down open billing's breaker for shop;
        # it lets a call through again after 5 s here, not 30.
        SHOP_INTERNAL_BREAKER_RESET_SECONDS="5",
    )
    split = Split(env, tmp_path / "split.log")
    try:
        split.start(topology)

        def both_up_and_seeded():
            assert split.process.poll() is None, split.output()[-4000:]
            assert "run: all services are up" in split.output()

        _wait(both_up_and_seeded, timeout=240)
        status, _, body = split.call(
            "POST", "/api/v1/auth/token", {"username": "alice", "password": "alice"}
        )
        assert status == 200, body
        yield Running(
            split,
            env,
            tmp_path,
            prefix,
            shop_port,
            billing_port,
            split_redis,
            json.loads(body)["token"],
        )
    finally:
        split.stop()


PROBE = """
import json
from django.conf import settings
from shop.billing import api as billing
ids = {ids!r}
print(json.dumps({{
    "billing_engine": settings.DATABASES["billing"]["ENGINE"],
    "invoices": {{
        name: (lambda i: i and {{"status": i.status, "amount": str(i.amount.amount)}})(
            billing.invoice_for_order(order_id)
        )
        for name, order_id in ids.items()
    }},
}}))
"""


@pytest.mark.postgres
def test_the_split_runs_the_saga_across_two_services_each_with_only_its_own_stores(
    running, eventually
):
    split, env, tmp_path, prefix = running.split, running.env, running.root, running.prefix
    shop_port, billing_port = running.shop_port, running.billing_port

    # Each service reports itself and checks only the stores it hosts.
    for port, service, hosts, stores in (
        (shop_port, "shop", SHOP_HOSTS, ["default", *contexts_but("billing")]),
        (billing_port, "billing", ["billing"], ["billing"]),
    ):
        there = Deployment({**env, "SHOP_BIND": f"127.0.0.1:{port}"}, split.log)
        ready = json.loads(there.call("GET", "/readyz")[2])
        assert (ready["service"], ready["hosts"]) == (service, hosts)
        assert ready["checks"] == dict.fromkeys(["broker", *stores], "ok")
    # Two services on one machine, each with its own state and metrics directory.
    for service in ("shop", "billing"):
        assert (tmp_path / "var" / service / "supervisord.sock").is_socket()
        assert (tmp_path / "metrics" / service).is_dir()

    token = running.token
    orders = {}
    for name, quantity, payment in (
        ("paid", 2, "tok_visa"),
        ("declined", 1, "tok_declined"),
        ("out_of_stock", 121, "tok_visa"),  # the demo has 120 classic mugs
    ):
        orders[name] = running.place(quantity, payment)

    def settled():
        seen = {}
        for name, order_id in orders.items():
            _, _, body = split.call("GET", f"/api/v1/orders/{order_id}", token=token)
            order = json.loads(body)
            seen[name] = (order["status"], order["cancellation_reason"])
        assert seen == {
            "paid": ("confirmed", None),
            "declined": ("cancelled", "payment_declined"),
            "out_of_stock": ("cancelled", "out_of_stock"),
        }

    # Billing's worker took its messages from its own queue and asked ordering, on
    # service shop, over HTTP; ordering's worker confirmed or cancelled.
    eventually(settled, timeout=90, interval=0.3)

    # Service shop has no billing store, and asks billing's service for its invoices.
    def invoices():
        probe = split.run("manage", "shell", "-c", PROBE.format(ids=orders), timeout=60)
        assert probe.returncode == 0, probe.stderr
        return json.loads(probe.stdout.strip().splitlines()[-1])

    # Billing closes a cancelled order's invoice after ordering cancelled it (the void
    # reaches the provider first): the invoices settle after the orders do.
    def invoices_settled():
        seen = invoices()
        assert seen["billing_engine"] == "shop.platform.db.unhosted"
        assert seen["invoices"]["paid"] == {"status": "paid", "amount": "25.00"}
        assert seen["invoices"]["declined"]["status"] == "void"
        # Out of stock: billing voided the invoice it issued, or never issued one.
        assert seen["invoices"]["out_of_stock"] in (None, {"status": "void", "amount": "1512.50"})

    eventually(invoices_settled, timeout=60, interval=0.5)

    # Billing's role cannot reach the other contexts' database, let alone ordering.*.
    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        psycopg.connect(host="127.0.0.1", dbname=prefix, user=f"{prefix}_billing").close()
    with psycopg.connect(
        host="127.0.0.1", dbname=f"{prefix}_billing", user=f"{prefix}_billing"
    ) as own:
        schemas = own.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname IN ('identity', 'ordering')"
        ).fetchall()
        assert schemas == []  # billing's database holds billing's schema alone


def _billing_worker_pid(running: Running) -> int:
    pid = running.ctl("pid", "worker")
    assert pid.returncode == 0 and pid.stdout.strip().isdigit(), pid.stdout + pid.stderr
    return int(pid.stdout.strip())


@pytest.mark.postgres
def test_sigkill_of_billings_worker_mid_saga_loses_nothing_and_applies_nothing_twice(
    running, eventually
):
    before = running.on_hand()
    worker = _billing_worker_pid(running)
    order_ids = [running.place() for _ in range(10)]

    # Billing's worker is working through them: kill its whole process group (main
    # process and pool) with SIGKILL, no warm shutdown, its taken messages unacknowledged.
    eventually(
        lambda: _assert(any(running.status_of(o) == "confirmed" for o in order_ids)),
        timeout=90,
        interval=0.1,
    )
    os.killpg(os.getpgid(worker), signal.SIGKILL)
    # Mid-saga: billing's worker (and with it billing's relay) is gone, and some orders
    # are still waiting for their charge.
    assert "confirmed" in (statuses := [running.status_of(o) for o in order_ids])
    assert set(statuses) != {"confirmed"}, statuses

    # billing's supervisord starts a new worker; nobody restarted it by hand.
    eventually(lambda: _assert(_billing_worker_pid(running) != worker), timeout=60, interval=0.5)

    def all_confirmed():
        assert {o: running.status_of(o) for o in order_ids} == dict.fromkeys(order_ids, "confirmed")

    eventually(all_confirmed, timeout=120, interval=0.5)
    # One invoice per order, paid once: one payment and one PaymentCaptured each.
    assert running.payments(order_ids) == dict.fromkeys(order_ids, ("paid", 1, 1))
    # Stock conserved: on hand dropped by exactly the ten mugs, nothing left reserved.
    eventually(lambda: _assert(running.on_hand() == before - 10), timeout=60, interval=0.5)


@pytest.mark.postgres
def test_orders_wait_in_awaiting_payment_while_billing_is_stopped_and_confirm_once_it_returns(
    running, eventually
):
    broker = redis.Redis.from_url(running.redis.url)
    stopped = running.ctl("stop", "worker", "web")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    try:
        queued = broker.llen("billing")
        order_ids = [running.place() for _ in range(3)]
        # Inventory (service shop) reserved; the charge waits for billing in its queue.
        eventually(
            lambda: _assert([running.status_of(o) for o in order_ids] == ["awaiting_payment"] * 3),
            timeout=60,
            interval=0.5,
        )
        eventually(lambda: _assert(broker.llen("billing") >= queued + 3), timeout=60)
        for _ in range(6):  # billing stays down for 30 s; the orders keep waiting
            time.sleep(5)
            assert [running.status_of(o) for o in order_ids] == ["awaiting_payment"] * 3
        assert broker.llen("billing") >= queued + 3
    finally:
        started = running.ctl("start", "web", "worker")
    assert started.returncode == 0, started.stdout + started.stderr

    def all_confirmed():
        assert [running.status_of(o) for o in order_ids] == ["confirmed"] * 3

    eventually(all_confirmed, timeout=120, interval=0.5)
    assert running.payments(order_ids) == dict.fromkeys(order_ids, ("paid", 1, 1))
    eventually(lambda: _assert(broker.llen("billing") == 0), timeout=60)  # drained


CHARGE = "billing.when_inventory_stock_reserved_charge_payment"
ISSUE = "billing.when_ordering_order_placed_issue_invoice"
# Could not ask ordering: shop's web refused the connection, or billing's breaker for shop
# was open after as many refusals in a row. Either way, not "ordering has no such order".
UNREACHABLE = re.compile(
    r"shop\.platform\.openhost\.errors\.RemoteUnavailable: service 'shop' "
    r"(at http://[^ ]+/_internal/ordering/order_summary: .*Connection refused"
    r"|is failing: its circuit breaker is open)"
)


def _queued(broker: redis.Redis, queue: str, order_id: str) -> list[bytes]:
    """The messages in a queue that deliver one of the order's events, as Redis holds them."""
    found = []
    for raw in broker.lrange(queue, 0, -1):
        message = json.loads(raw)
        if message["headers"]["task"] != "shop.events.deliver":
            continue
        (envelope, _context), _, _ = json.loads(base64.b64decode(message["body"]))
        if envelope["subject"] == order_id:
            found.append(raw)
    return found


def _ensure_running(running: Running, program: str, service: str) -> None:
    """Start the program again if a test stopped it; the module's other tests need it."""
    status = running.ctl("status", program, service=service)
    if "RUNNING" not in status.stdout:
        started = running.ctl("start", program, service=service)
        assert started.returncode == 0, started.stdout + started.stderr


@pytest.mark.postgres
def test_while_ordering_is_unreachable_billing_retries_the_charge_and_never_reads_no_order(
    running, eventually
):
    broker = redis.Redis.from_url(running.redis.url)
    stopped = running.ctl("stop", "worker")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    try:
        order_id = running.place()
        # OrderPlaced and StockReserved wait in billing's queue for billing's worker.
        eventually(
            lambda: _assert(len(_queued(broker, "billing", order_id)) == 2),
            timeout=60,
            interval=0.3,
        )
        # Service shop's web, where ordering answers billing's `order_summary`, goes away.
        down = running.ctl("stop", "web", service="shop")
        assert down.returncode == 0, down.stdout + down.stderr
        with pytest.raises(OSError):
            running.split.call("GET", "/readyz")
        started = running.ctl("start", "worker")
        assert started.returncode == 0, started.stdout + started.stderr

        # Billing issues the invoice (it asks nobody), then cannot ask ordering about the
        # order: the charge stays pending and is retried, never taken for a missing order
        # (that would be OrderNotKnownYet) and never charged without an answer.
        def retrying(more_than: int) -> int:
            rows = running.inbox(order_id)
            assert rows[ISSUE][0] == "done", rows
            status, attempts, error = rows[CHARGE]
            assert status == "pending", rows
            assert attempts > more_than, rows
            assert UNREACHABLE.match(error), error
            return attempts

        attempts = eventually(lambda: retrying(2), timeout=60, interval=0.3)
        eventually(lambda: retrying(attempts), timeout=30, interval=0.3)  # and again
        assert running.payments([order_id]) == {order_id: ("open", 0, 0)}
        refused = [
            line
            for line in running.split.log_lines()
            if line.get("handler") == CHARGE
            and line.get("event") == "handler waits on an unavailable service"
            and "Connection refused" in line.get("error", "")
        ]
        assert refused, "billing's worker never logged that shop refused its connection"
    finally:
        _ensure_running(running, "web", "shop")
        _ensure_running(running, "worker", "billing")

    # Shop's web is back: the next retry (once the breaker lets one through) is answered,
    # and the order is charged once.
    eventually(lambda: _assert(running.status_of(order_id) == "confirmed"), timeout=60)
    assert running.payments([order_id]) == {order_id: ("paid", 1, 1)}
    assert running.inbox(order_id)[CHARGE][0] == "done"


@pytest.mark.postgres
def test_a_billing_message_on_a_queue_of_service_shop_goes_on_to_billing_and_is_handled_once(
    running, eventually
):
    """Shop's worker takes it, cannot store it (it does not host billing), and sends it on
    to billing's queue before acknowledging it, where billing's worker takes it.

    Only a message put on the wrong queue gets there: the relay sends each copy to its
    context's queue, and a worker told to consume a queue of a context its service does
    not host refuses to start (tests/platform/test_hosting.py runs such a worker).
    """
    broker = redis.Redis.from_url(running.redis.url)
    stopped = running.ctl("stop", "worker")
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    try:
        order_id = running.place()
        messages = eventually(
            lambda: _assert(len(found := _queued(broker, "billing", order_id)) == 2) and found,
            timeout=60,
            interval=0.3,
        )
        forwarded = _forwarded(running)
        # Both onto ordering's queue, which only service shop's worker consumes.
        with broker.pipeline() as moving:
            for raw in messages:
                moving.lrem("billing", 1, raw).lpush("ordering", raw)
            moving.execute()

        # Each sent on to billing's queue (never acknowledged and dropped), once.
        def sent_on():
            assert _queued(broker, "ordering", order_id) == []
            assert len(_queued(broker, "billing", order_id)) == 2
            assert _forwarded(running) == forwarded + 2

        eventually(sent_on, timeout=60, interval=0.3)
        assert running.status_of(order_id) == "awaiting_payment"
    finally:
        _ensure_running(running, "worker", "billing")

    eventually(lambda: _assert(running.status_of(order_id) == "confirmed"), timeout=60)
    assert running.payments([order_id]) == {order_id: ("paid", 1, 1)}
    # One row each for the two events, done: none lost, none taken twice.
    assert {h: row[0] for h, row in running.inbox(order_id).items()} == {
        CHARGE: "done",
        ISSUE: "done",
    }


def _forwarded(running: Running) -> int:
    """How often service shop's worker sent a message for billing's context on."""
    return sum(
        1
        for line in running.split.log_lines()
        if line.get("event")
        == "a message for a context this service does not host: sent on to its queue"
        and line.get("context") == "billing"
    )


def _assert(condition: bool) -> bool:
    assert condition
    return condition


SERVICE_NAME = """
import sys
from opentelemetry import trace
if sys.argv[1] == "web":
    import shop.site.wsgi  # noqa: F401 - what gunicorn loads
else:
    import django
    django.setup()
    from shop.site.celery import trace_worker
    trace_worker()  # what each worker process runs as it starts
print(trace.get_tracer_provider().resource.attributes["service.name"])
"""


@pytest.mark.parametrize(
    ("service", "role", "override", "expected"),
    [
        ("billing", "web", None, "billing-web"),
        ("billing", "worker", None, "billing-worker"),
        ("shop", "web", None, "shop-web"),
        (None, "worker", None, "shop-worker"),  # no topology: as before
        ("billing", "web", "storefront", "storefront"),  # OTEL_SERVICE_NAME still wins
    ],
)
def test_each_process_reports_its_service_to_opentelemetry(
    tmp_path, service, role, override, expected
):
    topology = split_topology(tmp_path / "split.toml", 1, 2, "postgresql://127.0.0.1:5432/x")
    env = container_env(tmp_path, SHOP_DEBUG="1", OTEL_TRACES_EXPORTER="console")
    env.pop("PROMETHEUS_MULTIPROC_DIR")  # no metrics directory: the entrypoint is not run
    env.pop("OTEL_SERVICE_NAME", None)
    if service:
        env |= {"SHOP_TOPOLOGY": str(topology), "SHOP_SERVICE": service}
    if override:
        env["OTEL_SERVICE_NAME"] = override
    ran = subprocess.run(
        [sys.executable, "-c", SERVICE_NAME, role],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().splitlines()[-1] == expected


def test_the_sample_split_is_a_valid_topology_hosting_billing_apart():
    from shop.platform.topology import load

    for service in ("shop", "billing"):
        sample = load(str(ROOT / "topology" / "split.toml"), service, settings.SHOP_CONTEXTS)
        assert sample.problems == ()
        assert sample.is_split
    assert sample.host_of("billing").hosts == ("billing",)
    assert sample.host_of("identity").name == "shop"
    assert set(sample.stores) == {"billing"}
