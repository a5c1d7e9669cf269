"""Event bus throughput on PostgreSQL: outbox row to done inbox row, with no-op handlers.

Run (PostgreSQL at 127.0.0.1:5432, trust auth, a superuser named postgres):

    .venv/bin/python bench/relay.py                      # 1,000 and 100,000 events, 2 relays
    .venv/bin/python bench/relay.py --events 10000 --relays 1 --consumers 2

What it measures. The script provisions a dedicated database (default
postgresql://127.0.0.1:5432/shop_bench, roles shop_bench_*) and migrates every
alias. For each batch size N it empties every outbox and inbox, then:

1. publishes N probe events (`catalog.BenchPinged`) from catalog's store, `--chunk`
   per transaction, exactly as a context does (`publish()` in its transaction:
   next per-aggregate sequence, outbox row) -- reported as publish/s;
2. drains them with `shop.platform.events.worker.drain()` -- relay claims outbox
   rows (lease, FOR UPDATE SKIP LOCKED), the inline transport writes inbox rows,
   the inbox runs the no-op handler(s) and marks the rows done -- until every
   inbox row is done. Events divided by that time is the relay+handle rate.

Events cycle through `N / --per-subject` aggregates, so every aggregate has
several events and the per-aggregate ordering rules are exercised. With
`--relays K` K threads (or processes, `--relay-mode process`) drain at once, to
show that claiming lets relays share the work; the default, two relay processes, is what
two web processes (WEB_CONCURRENCY=2) run. Drainers start first and wait for a go signal,
so process start-up is not timed. Nothing is faked: every step runs
the production code paths against PostgreSQL.
"""

from __future__ import annotations

import argparse
import multiprocessing
import threading
import time

import _stores
from _stores import say

DEFAULT_URL = "postgresql://127.0.0.1:5432/shop_bench"
STALL_SECONDS = 60  # longer than a lease (30 s): a dead relay's rows come back before


def main() -> None:
    args = parse_args()
    _stores.setup_django(_stores.shop_env(args))
    _stores.run_alone(args.admin_url, args.database_url)
    _stores.provision_and_migrate(args.admin_url)

    from django.conf import settings

    if args.batch_size:
        settings.SHOP_EVENTS = {**settings.SHOP_EVENTS, "batch_size": args.batch_size}
    args.batch_size = settings.SHOP_EVENTS["batch_size"]
    probe, handlers = subscribe_probe_handlers(args.consumers)

    say(f"machine: {_stores.machine()}; {_stores.postgres_version()}")
    say(
        f"consumers: {', '.join(handlers)}; relays: {args.relays} ({args.relay_mode} each); "
        f"batch size {args.batch_size}; {args.per_subject} events per aggregate"
    )
    from django.db import connections

    from shop.platform.observability import statements

    statements.install()  # counted in each process: SQL statements per event below
    connections.close_all()  # those already open reconnect with the counter on
    header = (
        f"{'events':>8} {'publish/s':>10} {'CPU µs/ev':>10} {'stmts/ev':>9}"
        f" {'relay+handle events/s':>22} {'CPU µs/ev':>10} {'stmts/ev':>9} {'wall s':>8}"
    )
    say(header)
    say("-" * len(header))
    for n in args.events:
        _stores.empty_message_tables()
        with Meter(args) as publishing:
            published = publish_events(probe, n, per_subject=args.per_subject, chunk=args.chunk)
        with Meter(args) as draining:
            drained = drain_all(
                n * len(handlers), relays=args.relays, mode=args.relay_mode, meter=draining
            )
        check_all_done(n, len(handlers))
        say(
            f"{n:>8} {n / published:>10,.0f} {publishing.cpu * 1e6 / n:>10,.0f}"
            f" {publishing.statements / n:>9.2f} {n / drained:>22,.0f}"
            f" {draining.cpu * 1e6 / n:>10,.0f} {draining.statements / n:>9.2f}"
            f" {published + drained:>8.2f}"
        )
    say(
        "CPU: this script's and its relay processes' (user + system), and PostgreSQL's"
        " backends on the benchmark database; statements: every one Django sent."
    )


def statement_total() -> float:
    """SQL statements this process has sent since statements.install()."""
    from shop.platform.observability.statements import STATEMENTS

    return sum(
        sample.value
        for family in STATEMENTS.collect()
        for sample in family.samples
        if sample.name.endswith("_total")
    )


class Meter:
    """CPU seconds (this process, its relay processes, PostgreSQL's backends on the
    benchmark database) and SQL statements, from enter to exit. PostgreSQL's share is read
    from /proc for the backends pg_stat_activity lists, sampled every 0.2 s (a backend that
    exits between two samples loses its last fraction)."""

    def __init__(self, args) -> None:
        self.dbname = args.database_url.rsplit("/", 1)[-1]
        self.admin_url = args.admin_url
        self.cpu = 0.0
        self.statements = 0.0
        self.children_statements = 0.0  # what relay processes sent, reported back

    def __enter__(self) -> Meter:
        from shop.platform.db.provisioning import admin_connect

        self._admin = admin_connect(self.admin_url)
        self._backends: dict[tuple[int, int], list[float]] = {}
        self._sample()
        self._own = _own_cpu()
        self._statements = statement_total()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._every_fifth_of_a_second, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._done.set()
        self._thread.join()
        self._sample()
        self._admin.close()
        postgres = sum(last - first for first, last in self._backends.values())
        self.cpu = _own_cpu() - self._own + postgres
        self.statements = statement_total() - self._statements + self.children_statements

    def _every_fifth_of_a_second(self) -> None:
        while not self._done.wait(0.2):
            self._sample()

    def _sample(self) -> None:
        pids = self._admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.dbname],
        ).fetchall()
        for (pid,) in pids:
            stat = _proc_stat(pid)
            if stat is None:
                continue
            started, used = stat
            seen = self._backends.setdefault((pid, started), [used, used])
            seen[1] = used


def _own_cpu() -> float:
    """User + system CPU seconds of this process and of its reaped children."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _proc_stat(pid: int) -> tuple[int, float] | None:
    """(start time in ticks, CPU seconds used) of a live process."""
    import os

    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[19]), (int(fields[11]) + int(fields[12])) / ticks


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--events",
        type=_counts,
        action="extend",
        help="events per run; repeat or give a comma list (default: 1000,100000)",
    )
    parser.add_argument(
        "--relays",
        type=int,
        default=2,
        help="concurrent drainers (default 2: the two web processes of WEB_CONCURRENCY=2 "
        "each run one)",
    )
    parser.add_argument("--relay-mode", choices=["thread", "process"], default="process")
    parser.add_argument(
        "--consumers", type=int, choices=[1, 2], default=1, help="subscribing contexts"
    )
    parser.add_argument("--per-subject", type=int, default=5, help="events per aggregate")
    parser.add_argument("--chunk", type=int, default=1000, help="events per publishing transaction")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="relay/inbox batch size (default: SHOP_EVENTS batch_size, 500)",
    )
    _stores.add_database_options(parser, default_url=DEFAULT_URL)
    args = parser.parse_args()
    args.events = args.events or [1_000, 100_000]
    return args


def _counts(text: str) -> list[int]:
    return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]


def subscribe_probe_handlers(consumers: int) -> tuple[type, list[str]]:
    """Declare the probe event and subscribe a no-op handler in 1 or 2 consuming contexts."""
    from shop.platform.events import IntegrationEvent, bus, integration_event

    @integration_event("catalog.BenchPinged", subject="key")
    class BenchPinged(IntegrationEvent):
        key: str
        n: int

    def when_catalog_bench_pinged_do_nothing(event: BenchPinged) -> None:
        """The handler costs nothing, so the figure is the bus's own overhead."""

    contexts = ["inventory", "ordering"][:consumers]
    for context in contexts:
        bus.subscribe(BenchPinged, when_catalog_bench_pinged_do_nothing, context=context)
    names = [f"{context}.{when_catalog_bench_pinged_do_nothing.__name__}" for context in contexts]
    return BenchPinged, names


def publish_events(probe: type, n: int, *, per_subject: int, chunk: int) -> float:
    """Publish n events from catalog, `chunk` per transaction; returns the seconds it took."""
    from django.db import transaction

    from shop.platform.events import publish

    subjects = max(1, n // per_subject)
    started = time.perf_counter()
    for first in range(0, n, chunk):
        with transaction.atomic(using="catalog"):
            for i in range(first, min(n, first + chunk)):
                publish(probe(key=f"B-{i % subjects}", n=i))
    return time.perf_counter() - started


def drain_all(expected_done: int, *, relays: int, mode: str, meter: Meter) -> float:
    """Drain with `relays` concurrent drainers until `expected_done` inbox rows are done.

    Drainers are started first and wait for a go signal, as relays of running web
    processes wait for a nudge: the figure is the bus's work, not process start-up.
    """
    from django.db import connections

    connections.close_all()
    if relays == 1:
        started = time.perf_counter()
        _drain_until_done(expected_done)
        return time.perf_counter() - started
    if mode == "thread":
        go = threading.Event()
        drainers = [
            threading.Thread(target=_drain_until_done, args=(expected_done, go))
            for _ in range(relays)
        ]
    else:
        fork = multiprocessing.get_context("fork")
        go = fork.Event()
        counted = fork.Queue()
        drainers = [
            fork.Process(target=_drain_until_done, args=(expected_done, go, counted))
            for _ in range(relays)
        ]
    for drainer in drainers:
        drainer.start()
    time.sleep(0.5)  # every drainer is up and waiting
    started = time.perf_counter()
    go.set()
    for drainer in drainers:
        drainer.join()
        if getattr(drainer, "exitcode", 0) != 0:
            raise SystemExit(f"a relay process failed with exit code {drainer.exitcode}")
    elapsed = time.perf_counter() - started
    if mode != "thread":
        meter.children_statements = sum(counted.get() for _ in drainers)
    return elapsed


def _drain_until_done(expected_done: int, go=None, counted=None) -> None:
    from django.db import connections

    from shop.platform.events.worker import drain

    if go is not None:
        go.wait()
    before = statement_total()
    try:
        idle_since = time.monotonic()
        while True:
            if drain():
                idle_since = time.monotonic()
                continue
            if _done_rows() >= expected_done:
                return
            if time.monotonic() - idle_since > STALL_SECONDS:
                return  # rows went missing or stay leased: check_all_done says which
            time.sleep(0.001)  # the rest is leased to another relay: let it finish
    finally:
        connections.close_all()
        if counted is not None:  # a relay process: its statements go back to the parent
            counted.put(statement_total() - before)


def _done_rows() -> int:
    from shop.platform.events import bus
    from shop.platform.events.models import InboxStatus

    return sum(
        store.inbox.objects.using(store.alias).filter(status=InboxStatus.DONE).count()
        for store in bus.stores.values()
    )


def check_all_done(n: int, consumers: int) -> None:
    """Every event dispatched once and handled once per consumer, or the figure is void."""
    from shop.platform.events import bus

    catalog = bus.store_of("catalog")
    undispatched = (
        catalog.outbox.objects.using(catalog.alias).filter(dispatched_at__isnull=True).count()
    )
    rows = sum(store.inbox.objects.using(store.alias).count() for store in bus.stores.values())
    done = _done_rows()
    if undispatched or rows != n * consumers or done != n * consumers:
        raise SystemExit(
            f"incomplete: {undispatched} undispatched, {rows} inbox rows, {done} done "
            f"(expected {n * consumers})"
        )


if __name__ == "__main__":
    main()
