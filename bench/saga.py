"""The order saga end to end: orders placed over HTTP, confirmed by events, on PostgreSQL.

Run (PostgreSQL at 127.0.0.1:5432, trust auth, a superuser named postgres):

    .venv/bin/python bench/saga.py                       # 2000 orders, 16 clients, inline
    .venv/bin/python bench/saga.py --transport inline,celery   # both, side by side
    .venv/bin/python bench/saga.py --orders 500 --concurrency 4 --workers 2 --threads 4

What it measures. For each `--transport` in turn the script drops and recreates a
dedicated database (default postgresql://127.0.0.1:5432/shop_bench_saga, roles
shop_bench_*), migrates every alias, seeds a few products with stock to spare and
`--customers` users with API tokens, and starts gunicorn (`shop.site.wsgi`,
`--workers`, on a free port of 127.0.0.1). With `inline`, each web process relays and
handles events in its own worker thread, as in production. With `celery`, the script
also starts a private redis-server on a free port and one `celery worker` (embedded
beat, every queue, `--celery-workers` pool processes), as the Procfile runs it; the web
processes only nudge. Once /readyz answers, `--concurrency` client threads POST
`--orders` orders to /api/v1/orders over keep-alive http.client connections (stdlib
only) and time each placement. Then it waits until every order is confirmed or
cancelled, reading the ordering store.

It prints, per transport, accepted orders/s (201s over the time from the first POST to
the last response), confirmed orders/s (confirmed orders over the time from the first
POST to the last confirmation), p50/p95/p99/max placement latency, and the same for
placement-to-confirmed: from the order's `placed_at` to the `created_at` of its
OrderConfirmed event in ordering's outbox, written in the confirming transaction. With
several transports, a table puts their figures side by side. Every process the script
started is stopped at the end, on error too.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import _stores
from _stores import say

DEFAULT_URL = "postgresql://127.0.0.1:5432/shop_bench_saga"
ROOT = Path(__file__).resolve().parent.parent
SETTLED = ("confirmed", "cancelled")


def main() -> None:
    args = parse_args()
    env = _stores.shop_env(args)
    _stores.setup_django(env)
    _stores.run_alone(args.admin_url, args.database_url)
    say(f"machine: {_stores.machine()}; {_stores.postgres_version_of(args.admin_url)}")
    results = [run(args, env, transport) for transport in args.transport]
    if len(results) > 1:
        side_by_side(results)


def run(args, env: dict[str, str], transport: str) -> Result:
    """One fresh database, one gunicorn (plus the transport's own processes), one report."""
    _stores.provision_and_migrate(args.admin_url, fresh=True)
    skus = seed_products(args.products)
    tokens = seed_customers(args.customers)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="shop-bench-saga-") as scratch:
        with TRANSPORTS[transport](args, Path(scratch)) as extra_env:
            server_env = {**env, **extra_env, "SHOP_EVENT_TRANSPORT": transport}
            server = start_gunicorn(args, server_env, port, Path(scratch))
            try:
                wait_until_ready(port, server, Path(scratch) / "gunicorn.log")
                placements = place_orders(args, port, skus, tokens)
                accepted = [p for p in placements if p.status == 201]
                settled_at = wait_until_settled([p.order_id for p in accepted], args.settle_timeout)
            finally:
                stop(server)
    return report(args, transport, placements, settled_at)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (>1: gthread)"
    )
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--products", type=int, default=5)
    parser.add_argument(
        "--transport",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        default=["inline"],
        help="event transport(s), a comma list run one after the other and reported side "
        "by side: inline (default), celery",
    )
    parser.add_argument(
        "--celery-workers",
        type=int,
        default=2,
        help="celery: pool processes of the one worker consuming every queue (default 2)",
    )
    parser.add_argument(
        "--settle-timeout", type=float, default=600, help="seconds to wait for the saga"
    )
    _stores.add_database_options(parser, default_url=DEFAULT_URL)
    args = parser.parse_args()
    unknown = [name for name in args.transport if name not in TRANSPORTS]
    if unknown or not args.transport:
        parser.error(f"--transport: choose among {', '.join(sorted(TRANSPORTS))}")
    return args


@contextlib.contextmanager
def inline(args, scratch: Path) -> Iterator[dict[str, str]]:
    """Inline: nothing besides the web processes, whose worker threads do the event work."""
    yield {}


@contextlib.contextmanager
def celery(args, scratch: Path) -> Iterator[dict[str, str]]:
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
        yield env
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


def wait_until_ready(port: int, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}:\n{_tail(log)}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn not ready after {timeout:.0f}s:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return "\n".join(log.read_text().splitlines()[-20:]) if log.exists() else "(no log)"


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

    Returns (placed_at, confirmed at) per confirmed order.
    """
    from shop.ordering.infrastructure.models import OrderRecord

    orders = OrderRecord.objects.using("ordering").filter(id__in=order_ids)
    deadline = time.monotonic() + timeout
    while orders.exclude(status__in=SETTLED).exists():
        if time.monotonic() > deadline:
            open_orders = orders.exclude(status__in=SETTLED).count()
            say(f"gave up waiting: {open_orders} orders still open after {timeout:.0f}s")
            break
        time.sleep(0.1)
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


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@dataclass(frozen=True)
class Result:
    transport: str
    accepted: int
    placed: int
    accepted_per_second: float
    confirmed: int
    cancelled: int
    confirmed_per_second: float
    placement_ms: tuple[float, ...]  # p50, p95, p99, max
    to_confirmed_ms: tuple[float, ...]


def report(args, transport: str, placements: list[Placement], confirmed: dict) -> Result:
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
    )
    workers = f"{args.workers} workers x {args.threads} threads"
    if transport == "celery":
        workers += f"; celery worker: {args.celery_workers} processes"
    say()
    say(f"== transport {transport}")
    say(
        f"gunicorn: {workers}; {args.concurrency} clients; {args.products} products; "
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
    return result


def side_by_side(results: list[Result]) -> None:
    """The runs' figures in one table, a column per transport."""
    rows = [
        ("accepted orders/s", [f"{r.accepted_per_second:,.0f}" for r in results]),
        ("confirmed orders/s", [f"{r.confirmed_per_second:,.0f}" for r in results]),
        ("confirmed / placed", [f"{r.confirmed} / {r.placed}" for r in results]),
    ]
    for n, label in enumerate(("p50", "p95", "p99", "max")):
        rows.append((f"placement {label} ms", [_ms(r.placement_ms, n) for r in results]))
    for n, label in enumerate(("p50", "p95", "p99", "max")):
        rows.append((f"placed->confirmed {label} ms", [_ms(r.to_confirmed_ms, n) for r in results]))
    say()
    say(f"{'':<28}" + "".join(f"{r.transport:>14}" for r in results))
    for label, cells in rows:
        say(f"{label:<28}" + "".join(f"{cell:>14}" for cell in cells))


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
