"""The order saga end to end: orders placed over HTTP, confirmed by events, on PostgreSQL.

Run (PostgreSQL at 127.0.0.1:5432, trust auth, a superuser named postgres):

    .venv/bin/python bench/saga.py                       # 2000 orders, 16 clients, inline
    .venv/bin/python bench/saga.py --transport inline,celery   # both, side by side
    .venv/bin/python bench/saga.py --topology default,split    # one service, then two
    .venv/bin/python bench/saga.py --orders 500 --concurrency 4 --workers 2 --threads 4

What it measures. For each run in turn (each `--topology`, and under `default` each
`--transport`) the script starts the shop on databases of its own, `--concurrency` client
threads POST `--orders` orders to /api/v1/orders over keep-alive http.client connections
(stdlib only) and time each placement, and it then waits until every order is confirmed
or cancelled, reading ordering's store.

Topology `default` (one service hosting every context; the default). The script drops
and recreates a dedicated database (default postgresql://127.0.0.1:5432/shop_bench_saga,
roles shop_bench_*), migrates every alias, seeds a few products with stock to spare and
`--customers` users with API tokens, and starts gunicorn (`shop.site.wsgi`, `--workers`,
on a free port of 127.0.0.1). With `inline`, each web process relays and handles events in
its own worker thread, as in production. With `celery`, the script also starts a private
redis-server on a free port and one `celery worker` (embedded beat, every queue,
`--celery-workers` pool processes, log level WARNING); the web processes only nudge.

Topology `split` (docs/topology.md, topology/split.toml): service `shop` hosts identity,
catalog, inventory and ordering on the database above, service `billing` hosts billing on
a database of its own, the same name with `_billing` after it (shop_bench_saga_billing),
both dropped first. The script writes the topology file with two free ports, starts a
private redis-server and `topology/run.py` (what `make run-split` runs), which starts one
`docker/entrypoint.sh` per service: each provisions and migrates what it hosts, then runs
the Procfile's web (`--workers` gunicorn workers), worker (`--celery-workers` pool
processes) and beat under a supervisord of its own, as each container would: twice the
web and worker processes of the default topology. And unlike the default topology's
processes they write gunicorn's access log and the worker's INFO lines (through
supervisord), and beat is a process of its own. The split needs the Celery transport.
Once both services answer /readyz, products and customers are seeded through service shop
(`entrypoint.sh manage shell`, the functions below), the only one with those stores, and
the orders go to service shop; this script reads only ordering's store, which is in
service shop's database.

Transports. `--transport` names the default topology's transports. Left out, it is
`inline`, or `celery` when `--topology` includes `split`: the monolith is then compared
with the split on the same transport. The split always runs `celery`.

It prints, per run, accepted orders/s (201s over the time from the first POST to the last
response), confirmed orders/s (confirmed orders over the time from the first POST to the
last confirmation), p50/p95/p99/max placement latency, and the same for
placement-to-confirmed: from the order's `placed_at` to the `created_at` of its
OrderConfirmed event in ordering's outbox, written in the confirming transaction. Beside
them, the CPU seconds used while the orders were placed and confirmed: this script's own
(the clients and the polling), each process it started (from /proc, sampled twice a second;
per service in the split) and PostgreSQL's backends on the run's databases (found in
pg_stat_activity; a backend that exits between two samples loses its last half second),
and how busy the whole machine was meanwhile (/proc/stat), whoever used it: a figure far
above the run's own says something else was running.
With several runs, a table puts their figures side by side, and with both topologies the
monolith-to-split ratios of confirmed orders/s and of placed-to-confirmed p50 (the
default topology's `celery` run, if there is one). Every process the script started is
stopped at the end, on error too, with every process under it.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import _stores
from _stores import say

DEFAULT_URL = "postgresql://127.0.0.1:5432/shop_bench_saga"
ROOT = Path(__file__).resolve().parent.parent
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
SETTLED = ("confirmed", "cancelled")
SHOP_HOSTS = ["identity", "catalog", "inventory", "ordering"]


def main() -> None:
    args = parse_args()
    # SIGTERM as Ctrl-C: stops every process started so far on its way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    env = _stores.shop_env(args)
    _stores.setup_django(env)
    _stores.run_alone(args.admin_url, args.database_url)
    say(f"machine: {_stores.machine()}; {_stores.postgres_version_of(args.admin_url)}")
    results = [run(args, env, topology, transport) for topology, transport in args.runs]
    if len(results) > 1:
        side_by_side(results)


@dataclass
class Started:
    """A shop ready for orders: where to send them, what to order with, what to meter."""

    port: int
    skus: list[str]
    tokens: list[str]
    processes: list[subprocess.Popen]  # each with every process under it
    databases: list[str]


def run(args, env: dict[str, str], topology: str, transport: str) -> Result:
    """Fresh databases, the topology's processes, the orders, one report."""
    with tempfile.TemporaryDirectory(prefix="shop-bench-saga-") as scratch:
        with TOPOLOGIES[topology](args, env, transport, Path(scratch)) as shop:
            with CpuMeter(shop.processes, shop.databases, args.admin_url) as cpu:
                placements = place_orders(args, shop.port, shop.skus, shop.tokens)
                accepted = [p for p in placements if p.status == 201]
                settled_at = wait_until_settled([p.order_id for p in accepted], args.settle_timeout)
    return report(args, topology, transport, placements, settled_at, cpu)


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16, help="client threads")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn worker processes (per service)"
    )
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (>1: gthread)"
    )
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--products", type=int, default=5)
    parser.add_argument(
        "--topology",
        type=_names,
        default=["default"],
        help="topology (or a comma list, run one after the other and reported side by "
        "side): default (one service, the default), split (service shop and service billing)",
    )
    parser.add_argument(
        "--transport",
        type=_names,
        default=None,
        help="the default topology's event transport(s), a comma list run one after the "
        "other: inline, celery (default: inline; celery when --topology includes split, "
        "which always runs celery)",
    )
    parser.add_argument(
        "--celery-workers",
        type=int,
        default=2,
        help="celery: pool processes of the one worker consuming every queue (default 2; "
        "split: of each service's worker)",
    )
    parser.add_argument(
        "--settle-timeout", type=float, default=600, help="seconds to wait for the saga"
    )
    _stores.add_database_options(parser, default_url=DEFAULT_URL)
    args = parser.parse_args()
    topologies = args.topology
    if not topologies or [name for name in topologies if name not in TOPOLOGIES]:
        parser.error(f"--topology: choose among {', '.join(TOPOLOGIES)}")
    if args.transport is None:
        args.transport = ["celery"] if "split" in topologies else ["inline"]
    if not args.transport or [name for name in args.transport if name not in TRANSPORTS]:
        parser.error(f"--transport: choose among {', '.join(TRANSPORTS)}")
    if topologies == ["split"] and args.transport != ["celery"]:
        parser.error("--transport: the split runs celery only (events between services)")
    args.runs = [
        (topology, transport)
        for topology in topologies
        for transport in (args.transport if topology == "default" else ["celery"])
    ]
    return args


@contextlib.contextmanager
def default_topology(args, env: dict[str, str], transport: str, scratch: Path) -> Iterator[Started]:
    """One fresh database, one gunicorn, and the transport's own processes."""
    _stores.provision_and_migrate(args.admin_url, fresh=True)
    skus = seed_products(args.products)
    tokens = seed_customers(args.customers)
    port = free_port()
    with TRANSPORTS[transport](args, scratch) as (extra_env, extra_processes):
        server_env = {**env, **extra_env, "SHOP_EVENT_TRANSPORT": transport}
        server = start_gunicorn(args, server_env, port, scratch)
        try:
            wait_until_ready(port, server, scratch / "gunicorn.log")
            yield Started(port, skus, tokens, [server, *extra_processes], [_dbname(args)])
        finally:
            stop(server)


@contextlib.contextmanager
def split_topology(args, env: dict[str, str], transport: str, scratch: Path) -> Iterator[Started]:
    """Service shop and service billing, each started by docker/entrypoint.sh via
    topology/run.py, over two fresh databases and a private redis-server."""
    from django.db import connections

    from shop.platform.db.provisioning import drop_database

    databases = [_dbname(args), f"{_dbname(args)}_billing"]
    connections.close_all()  # ours, to the database about to be dropped
    for dbname in databases:
        drop_database(args.admin_url, dbname)
    ports = {"shop": free_port(), "billing": free_port()}
    billing_store = urlunsplit(urlsplit(args.database_url)._replace(path=f"/{databases[1]}"))
    topology = scratch / "split.toml"
    topology.write_text(
        f"[services.shop]\nhosts = {json.dumps(SHOP_HOSTS)}\n"
        f'url = "http://127.0.0.1:{ports["shop"]}"\n'
        f'[services.billing]\nhosts = ["billing"]\nurl = "http://127.0.0.1:{ports["billing"]}"\n'
        f'[stores]\nbilling = "{billing_store}"\n'
    )
    redis = RedisServer(scratch)
    redis.start()
    runner = None
    log = scratch / "split.log"
    try:
        split_env = _split_env(args, env, scratch, redis.url)
        runner = subprocess.Popen(  # noqa: S603 - our own runner
            [sys.executable, str(ROOT / "topology" / "run.py"), str(topology)],
            cwd=scratch,
            env=split_env,
            stdout=log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for port in ports.values():
            wait_until_ready(port, runner, log, timeout=300, what="topology/run.py")
        service_shop = {
            **split_env,
            "SHOP_TOPOLOGY": str(topology),
            "SHOP_SERVICE": "shop",
            "SHOP_BIND": f"127.0.0.1:{ports['shop']}",
        }
        skus, tokens = seed_through(service_shop, args, scratch)
        yield Started(ports["shop"], skus, tokens, [runner, redis.process], databases)
    finally:
        if runner is not None:
            stop(runner, session=True, timeout=90)
        redis.stop()


def _dbname(args) -> str:
    return urlsplit(args.database_url).path.lstrip("/")


def _split_env(args, env: dict[str, str], scratch: Path, redis_url: str) -> dict[str, str]:
    """What both services are given: this script's environment (as the default topology's
    processes are), the benchmark's store and a Redis of its own, the Procfile's sizes."""
    split_env = {
        **os.environ,
        **env,
        "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "SHOP_EVENT_TRANSPORT": "celery",
        "SHOP_REDIS_URL": redis_url,
        "SHOP_DATA_DIR": str(scratch / "var"),  # each service's state under var/<service>
        "WEB_CONCURRENCY": str(args.workers),
        "WORKER_CONCURRENCY": str(args.celery_workers),
    }
    if args.threads > 1:  # the Procfile names no --threads; gunicorn reads this too
        split_env["GUNICORN_CMD_ARGS"] = f"--threads={args.threads}"
    # run.py sets the first three per service; each service runs web, worker and beat;
    # metrics stay in each process, as the default topology's do.
    for name in ("SHOP_TOPOLOGY", "SHOP_SERVICE", "SHOP_BIND", "SHOP_PROCESSES"):
        split_env.pop(name, None)
    split_env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return split_env


SEED = """
import json, sys
sys.path.insert(0, {bench!r})
import saga
print(json.dumps({{"skus": saga.seed_products({products}), "tokens": saga.seed_customers({customers})}}))
"""


def seed_through(service_env: dict[str, str], args, scratch: Path) -> tuple[list[str], list[str]]:
    """seed_products and seed_customers run by the service hosting their stores."""
    code = SEED.format(bench=str(ROOT / "bench"), products=args.products, customers=args.customers)
    seeded = subprocess.run(  # noqa: S603 - our own entrypoint
        [str(ENTRYPOINT), "manage", "shell", "-c", code],
        cwd=scratch,
        env=service_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if seeded.returncode:
        raise SystemExit(f"seeding through service shop failed:\n{seeded.stderr[-4000:]}")
    found = json.loads(seeded.stdout.strip().splitlines()[-1])
    return found["skus"], found["tokens"]


TOPOLOGIES = {"default": default_topology, "split": split_topology}


@contextlib.contextmanager
def inline(args, scratch: Path) -> Iterator[tuple[dict[str, str], list[subprocess.Popen]]]:
    """Inline: nothing besides the web processes, whose worker threads do the event work."""
    yield {}, []


@contextlib.contextmanager
def celery(args, scratch: Path) -> Iterator[tuple[dict[str, str], list[subprocess.Popen]]]:
    """Celery: a private redis-server and one `celery worker` (embedded beat) on every queue.

    The worker runs as production runs it (`Procfile`): prefork pool, acks late,
    prefetch 1; `--celery-workers` pool processes.
    """
    redis = RedisServer(scratch)
    redis.start()
    worker = None
    try:
        env = {"SHOP_REDIS_URL": redis.url}
        worker = start_celery_worker(args, {**os.environ, **env}, scratch)
        yield env, [worker, redis.process]
    finally:
        if worker is not None:
            stop(worker)
        redis.stop()


TRANSPORTS = {"inline": inline, "celery": celery}


class RedisServer:
    """A redis-server of our own on a free port: the benchmark never touches another's data."""

    def __init__(self, scratch: Path) -> None:
        self.port = free_port()
        self.scratch = scratch
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("--transport celery needs redis-server on the PATH")
        self.process = subprocess.Popen(  # noqa: S603 - the system's redis-server
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
                str(self.scratch),
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
        raise SystemExit("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)


def start_celery_worker(args, env: dict[str, str], scratch: Path) -> subprocess.Popen:
    from django.conf import settings

    command = [
        str(ROOT / ".venv" / "bin" / "celery"),
        "-A",
        "shop.site",
        "worker",
        "--beat",
        f"--schedule={scratch / 'beat-schedule'}",
        f"--queues={','.join(settings.CELERY_WORKER_QUEUES)}",
        f"--concurrency={args.celery_workers}",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=WARNING",
    ]
    log = (scratch / "celery.log").open("ab")
    return subprocess.Popen(  # noqa: S603 - our own binary
        command,
        cwd=ROOT,
        env={**env, "SHOP_EVENT_TRANSPORT": "celery"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def seed_products(count: int) -> list[str]:
    """A few products, each with more stock than any run can sell."""
    from decimal import Decimal

    from shop.catalog import api as catalog
    from shop.inventory import api as inventory

    skus = [f"BENCH-{n}" for n in range(count)]
    for sku in skus:
        catalog.add_product(
            sku=sku, name=sku.title(), description="", price=Decimal("9.99"), currency="EUR"
        )
        inventory.count_stock(sku=sku, on_hand=1_000_000_000)
    return skus


def seed_customers(count: int) -> list[str]:
    """Customers with API tokens; no passwords, so nothing is hashed."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    users = get_user_model()
    created = users.objects.bulk_create(
        users(username=f"bench{n}", password=make_password(None)) for n in range(count)
    )
    tokens = Token.objects.bulk_create(
        Token(key=Token.generate_key(), user=user) for user in created
    )
    return [token.key for token in tokens]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(args, env: dict[str, str], port: int, scratch: Path) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "shop.site.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={args.workers}",
        f"--threads={args.threads}",
        "--no-control-socket",
        f"--error-logfile={scratch / 'gunicorn.log'}",
        f"--pid={scratch / 'gunicorn.pid'}",
        "--graceful-timeout=10",
    ]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})  # noqa: S603 - our own binary


def wait_until_ready(
    port: int, server: subprocess.Popen, log: Path, timeout: float = 60, what: str = "gunicorn"
) -> None:
    """Until GET /readyz on `port` is 200; `server` (`what`) exiting first is an error."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{what} exited with {server.returncode}:\n{_tail(log)}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise SystemExit(f"{what}: 127.0.0.1:{port} not ready after {timeout:.0f}s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    if not log.exists():
        return "(no log)"
    return "\n".join(log.read_text(errors="replace").splitlines()[-30:])


@dataclass(frozen=True)
class Placement:
    status: int
    order_id: str | None
    started: float  # time.time()
    seconds: float


def place_orders(args, port: int, skus: list[str], tokens: list[str]) -> list[Placement]:
    """POST every order from `--concurrency` threads, each on its own keep-alive connection."""
    work: queue.SimpleQueue[int] = queue.SimpleQueue()
    for n in range(args.orders):
        work.put(n)
    results: list[Placement] = []
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine = []
        while True:
            try:
                n = work.get_nowait()
            except queue.Empty:
                break
            body = json.dumps(
                {
                    "lines": [{"sku": skus[n % len(skus)], "quantity": 1}],
                    "payment_token": "tok_visa",
                }
            )
            headers = {
                "Authorization": f"Token {tokens[n % len(tokens)]}",
                "Content-Type": "application/json",
            }
            started, clock = time.time(), time.perf_counter()
            try:
                connection.request("POST", "/api/v1/orders", body, headers)
                response = connection.getresponse()
                payload = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()  # reconnects on the next request; this order counts as failed
                status, payload = 0, b""
            seconds = time.perf_counter() - clock
            order_id = json.loads(payload)["id"] if status == 201 else None
            mine.append(Placement(status, order_id, started, seconds))
        connection.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def wait_until_settled(order_ids: list[str], timeout: float) -> dict[str, tuple]:
    """Poll the ordering store until every order is confirmed or cancelled.

    Returns (placed_at, confirmed at) per confirmed order. Every half second: a poll
    (thousands of ids) costs this script and PostgreSQL tens of ms of the CPU the run is
    measuring, and the figures come from the rows' own times, not from when it looked.
    """
    from shop.ordering.infrastructure.models import OrderRecord

    orders = OrderRecord.objects.using("ordering").filter(id__in=order_ids)
    deadline = time.monotonic() + timeout
    while orders.exclude(status__in=SETTLED).exists():
        if time.monotonic() > deadline:
            open_orders = orders.exclude(status__in=SETTLED).count()
            say(f"gave up waiting: {open_orders} orders still open after {timeout:.0f}s")
            break
        time.sleep(0.5)
    return confirmation_times(order_ids)


def confirmation_times(order_ids: list[str]) -> dict[str, tuple[datetime, datetime]]:
    """(placed_at, confirmed at) per confirmed order; confirmed at = its OrderConfirmed row."""
    from shop.ordering.infrastructure.models import OrderRecord
    from shop.platform.events import bus

    outbox = bus.store_of("ordering").outbox.objects.using("ordering")
    confirmed = dict(
        outbox.filter(event_type="ordering.OrderConfirmed", subject__in=order_ids).values_list(
            "subject", "created_at"
        )
    )
    placed = dict(
        OrderRecord.objects.using("ordering")
        .filter(id__in=list(confirmed))
        .values_list("id", "placed_at")
    )
    return {str(order): (placed_at, confirmed[str(order)]) for order, placed_at in placed.items()}


def stop(process: subprocess.Popen, *, session: bool = False, timeout: float = 20) -> None:
    """Stop `process` and every process under it; SIGKILL whatever outlives `timeout`.

    session: `process` leads a session of its own, which is signalled whole. The process
    groups of its descendants are noted first and killed after (supervisord starts each
    program in a group of its own), then every noted descendant still alive.
    """
    tree = [(pid, stat[2]) for pid in _descendants(process.pid)[1:] if (stat := _stat(pid))]
    groups = {_group_of(pid) for pid, _ in tree} - {None, os.getpgrp()}
    if session:
        groups.add(process.pid)
    if process.poll() is None:
        if session:
            os.killpg(process.pid, signal.SIGTERM)
        else:
            process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for group in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
    for pid, started in tree:
        if (stat := _stat(pid)) and stat[2] == started:  # the same process, not a new one
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(parent pid, CPU seconds used, start time in ticks) of a live process, from /proc."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS, int(fields[19])


def _machine_busy() -> float:
    """CPU seconds every CPU of the machine has been busy since boot (/proc/stat)."""
    ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = ticks
    return (user + nice + system + irq + softirq + steal) / TICKS


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (stat := _stat(int(entry.name))):
            children.setdefault(stat[0], []).append(int(entry.name))
    return children


def _descendants(root: int, children: dict[int, list[int]] | None = None) -> list[int]:
    """`root` and every process under it."""
    children = _children() if children is None else children
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


ROLES = ("web", "worker", "beat", "supervisord", "stop-on-fatal", "entrypoint.sh", "run.py")


def _label(pid: int) -> tuple[str, str] | None:
    """(service, role) of a process started by a run: its command, its SHOP_SERVICE."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        environ = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return None
    service = next((v.split("=", 1)[1] for v in environ if v.startswith("SHOP_SERVICE=")), "")
    names = [Path(word.split(" ")[0]).name for word in argv[:3] if word]
    if "gunicorn" in names:
        return service, "web"
    if "celery" in names:
        return service, "beat" if "beat" in argv else "worker"
    if any(name.startswith("redis-server") for name in names):
        return "", "redis"
    for role in ("supervisord", "entrypoint.sh", "run.py"):
        if role in names:
            return service, role
    if "stop_on_fatal.py" in names:
        return service, "stop-on-fatal"
    return service, names[0] if names else "?"


@dataclass
class Use:
    label: tuple[str, str]  # (service, role), or ("postgres", database)
    start: float  # CPU seconds when first seen: at the start, or 0 for one born since
    last: float = 0.0

    @property
    def seconds(self) -> float:
        return max(0.0, self.last - self.start)


class CpuMeter:
    """CPU seconds from enter to exit: of the processes started (each with every process
    under it), of PostgreSQL's backends on `databases`, and of this script.

    Samples /proc and pg_stat_activity twice a second; a process that exits between two
    samples loses what it used since the last one.
    """

    def __init__(self, processes: list[subprocess.Popen], databases: list[str], admin_url: str):
        self.roots = [process.pid for process in processes]
        self.databases = databases
        self.admin_url = admin_url
        self.uses: dict[tuple[int, int], Use] = {}  # by (pid, start time)
        self.seconds = 0.0
        self.own = 0.0
        self.machine = 0.0  # CPU seconds the whole machine was busy, whoever's
        self._done = threading.Event()

    def __enter__(self) -> CpuMeter:
        from shop.platform.db.provisioning import admin_connect

        self._admin = admin_connect(self.admin_url)
        self._sample(first=True)
        self._started, self._own = time.monotonic(), time.process_time()
        self._machine = _machine_busy()
        self._thread = threading.Thread(target=self._every_half_second, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()
        self._thread.join()
        try:
            self._sample()
        finally:
            self._admin.close()
        self.seconds = time.monotonic() - self._started
        self.own = time.process_time() - self._own
        self.machine = _machine_busy() - self._machine

    def _every_half_second(self) -> None:
        while not self._done.wait(0.5):
            self._sample()

    def _sample(self, first: bool = False) -> None:
        children = _children()
        labels = {pid: _label(pid) for root in self.roots for pid in _descendants(root, children)}
        backends = self._admin.execute(
            "SELECT pid, datname FROM pg_stat_activity WHERE datname = ANY(%s)", [self.databases]
        ).fetchall()
        labels.update((pid, ("postgres", dbname)) for pid, dbname in backends)
        for pid, label in labels.items():
            stat = _stat(pid)
            if label is None or stat is None:
                continue
            use = self.uses.get((pid, stat[2]))
            if use is None:
                use = self.uses[(pid, stat[2])] = Use(label, start=stat[1] if first else 0.0)
            use.label, use.last = label, stat[1]

    def groups(self) -> list[tuple[str, list[float]]]:
        """(what, CPU seconds of each of its processes), this script first, PostgreSQL last."""
        found: dict[tuple[str, str], list[tuple[int, float]]] = {}
        for (pid, _), use in self.uses.items():
            found.setdefault(use.label, []).append((pid, use.seconds))

        def order(label: tuple[str, str]) -> tuple:
            service, role = label
            rank = ROLES.index(role) if role in ROLES else len(ROLES)
            return (service == "postgres", {"": 0, "shop": 1}.get(service, 2), service, rank, role)

        rows = [("this script", [self.own])]
        for label in sorted(found, key=order):
            name = " ".join(part for part in label if part)
            rows.append((name, [seconds for _, seconds in sorted(found[label])]))
        return rows

    @property
    def total(self) -> float:
        return self.own + sum(use.seconds for use in self.uses.values())

    @property
    def postgres(self) -> float:
        return sum(use.seconds for use in self.uses.values() if use.label[0] == "postgres")


@dataclass(frozen=True)
class Result:
    topology: str
    transport: str
    accepted: int
    placed: int
    accepted_per_second: float
    confirmed: int
    cancelled: int
    confirmed_per_second: float
    placement_ms: tuple[float, ...]  # p50, p95, p99, max
    to_confirmed_ms: tuple[float, ...]
    cpu_seconds: float = 0.0  # this script, every process started, PostgreSQL's backends
    cpu_postgres: float = 0.0
    cpu_window: float = 0.0  # wall seconds the CPU was metered over
    cpu_machine: float = 0.0  # the whole machine's busy CPU seconds over the same time
    name: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", f"{self.topology} {self.transport}")


def report(
    args,
    topology: str,
    transport: str,
    placements: list[Placement],
    confirmed: dict,
    cpu: CpuMeter,
) -> Result:
    from shop.ordering.infrastructure.models import OrderRecord

    accepted = [p for p in placements if p.status == 201]
    failed = len(placements) - len(accepted)
    first = min(p.started for p in placements)
    last_response = max(p.started + p.seconds for p in placements)
    cancelled = (
        OrderRecord.objects.using("ordering")
        .filter(id__in=[p.order_id for p in accepted], status="cancelled")
        .count()
    )
    span = max((at.timestamp() for _, at in confirmed.values()), default=first) - first
    result = Result(
        topology=topology,
        transport=transport,
        accepted=len(accepted),
        placed=len(placements),
        accepted_per_second=len(accepted) / (last_response - first),
        confirmed=len(confirmed),
        cancelled=cancelled,
        confirmed_per_second=len(confirmed) / span if confirmed else 0.0,
        placement_ms=_percentiles([p.seconds for p in accepted]),
        to_confirmed_ms=_percentiles(
            [(at - placed).total_seconds() for placed, at in confirmed.values()]
        ),
        cpu_seconds=cpu.total,
        cpu_postgres=cpu.postgres,
        cpu_window=cpu.seconds,
        cpu_machine=cpu.machine,
    )
    workers = f"{args.workers} workers x {args.threads} threads"
    if transport == "celery":
        workers += f"; celery worker: {args.celery_workers} processes"
    shape = "each service's gunicorn" if topology == "split" else "gunicorn"
    say()
    say(f"== topology {topology}, transport {transport}")
    say(
        f"{shape}: {workers}; {args.concurrency} clients; {args.products} products; "
        f"{args.customers} customers"
    )
    say(
        f"accepted: {len(accepted)} of {len(placements)} orders in {last_response - first:.2f} s"
        f" = {result.accepted_per_second:,.0f} orders/s"
        + (f"  ({failed} failed: {_statuses(placements)})" if failed else "")
    )
    say(
        f"confirmed: {len(confirmed)} (cancelled {cancelled}) in {span:.2f} s"
        f" = {result.confirmed_per_second:,.0f} orders/s"
    )
    say("latency ms            p50      p95      p99      max")
    say(f"{'placement':<20}" + _cells(result.placement_ms))
    say(f"{'placed -> confirmed':<20}" + _cells(result.to_confirmed_ms))
    cpus = os.cpu_count() or 1
    say(
        f"CPU s from the first order to the last settled ({cpu.seconds:.1f} s;"
        f" {cpus} CPUs: {cpu.seconds * cpus:.1f} CPU s to spend):"
    )
    for name, seconds in cpu.groups():
        processes = len(seconds)
        each = ""
        if name.startswith("postgres"):
            each = f"  in {processes} backend{'s' if processes > 1 else ''}"
        elif processes > 1:
            each = "  = " + " + ".join(f"{s:.1f}" for s in seconds)
        say(f"  {name:<34}{sum(seconds):>8.1f}{each}")
    per_order = (
        f"  = {cpu.total * 1000 / len(confirmed):.1f} ms per confirmed order" if confirmed else ""
    )
    say(f"  {'all of these':<34}{cpu.total:>8.1f}{per_order}")
    machine = "the whole machine, anyone's"
    say(f"  {machine:<34}{cpu.machine:>8.1f}")
    return result


def side_by_side(results: list[Result]) -> None:
    """The runs' figures in one table, a column per run; with both topologies, the ratios."""
    rows = [
        ("accepted orders/s", [f"{r.accepted_per_second:,.0f}" for r in results]),
        ("confirmed orders/s", [f"{r.confirmed_per_second:,.0f}" for r in results]),
        ("confirmed / placed", [f"{r.confirmed} / {r.placed}" for r in results]),
    ]
    for n, label in enumerate(("p50", "p95", "p99", "max")):
        rows.append((f"placement {label} ms", [_ms(r.placement_ms, n) for r in results]))
    for n, label in enumerate(("p50", "p95", "p99", "max")):
        rows.append((f"placed->confirmed {label} ms", [_ms(r.to_confirmed_ms, n) for r in results]))
    rows += [
        ("CPU s, all", [f"{r.cpu_seconds:,.1f}" for r in results]),
        ("CPU s, PostgreSQL", [f"{r.cpu_postgres:,.1f}" for r in results]),
        ("CPU s, whole machine", [f"{r.cpu_machine:,.1f}" for r in results]),
        ("CPU s / wall s", [f"{r.cpu_seconds / r.cpu_window:.2f}" for r in results]),
        (
            "CPU ms / confirmed order",
            [f"{r.cpu_seconds * 1000 / r.confirmed:,.1f}" if r.confirmed else "-" for r in results],
        ),
    ]
    say()
    say(f"{'':<28}" + "".join(f"{r.name:>16}" for r in results))
    for label, cells in rows:
        say(f"{label:<28}" + "".join(f"{cell:>16}" for cell in cells))
    defaults = [r for r in results if r.topology == "default"]
    monolith = next(
        (r for r in defaults if r.transport == "celery"), defaults[0] if defaults else None
    )
    split = next((r for r in results if r.topology == "split"), None)
    if monolith and split:
        say()
        say(
            f"{monolith.name} / {split.name}: confirmed orders/s"
            f" {_ratio(monolith.confirmed_per_second, split.confirmed_per_second)},"
            f" placed->confirmed p50"
            f" {_ratio(_first(monolith.to_confirmed_ms), _first(split.to_confirmed_ms))}"
        )


def _first(values: tuple[float, ...]) -> float:
    return values[0] if values else 0.0


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if a and b else "-"


def _ms(values: tuple[float, ...], n: int) -> str:
    return f"{values[n]:,.1f}" if values else "-"


def _statuses(placements: list[Placement]) -> str:
    counts: dict[int, int] = {}
    for p in placements:
        if p.status != 201:
            counts[p.status] = counts.get(p.status, 0) + 1
    return ", ".join(f"{count} x {status or 'no response'}" for status, count in counts.items())


def _percentiles(seconds: list[float]) -> tuple[float, ...]:
    """p50, p95, p99 and max in milliseconds; empty if there is nothing to measure."""
    if not seconds:
        return ()
    ordered = sorted(seconds)
    return tuple(
        ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000
        for q in (0.50, 0.95, 0.99, 1.0)
    )


def _cells(values: tuple[float, ...]) -> str:
    return "".join(f"{value:>9.1f}" for value in values) if values else "   (none)"


if __name__ == "__main__":
    sys.exit(main())
