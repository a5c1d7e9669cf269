"""manage.py events status [--format json] | retry [EVENT_ID | --dead] | purge --older-than 7d | work

`events status` exits with DEAD_ROWS (3) when any inbox row is dead, so a cron job or
a probe can alert on it; 0 means nothing is dead. As for every command, 1 is an error
(a store it cannot read) and 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from datetime import timedelta
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from shop.platform import topology
from shop.platform.events import operations, worker
from shop.platform.events.bus import bus
from shop.platform.events.settings import event_settings

# The exit code of `events status` when dead rows are present (1 and 2 are Django's:
# an error, a usage error).
DEAD_ROWS = 3

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_age(text: str) -> timedelta:
    match = re.fullmatch(r"(\d+)([smhdw])", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not an age like 30m, 12h or 7d")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


class Command(BaseCommand):
    help = "Operate the event bus: status, retry dead handlers, purge done rows, run the worker."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser(
            "status",
            help="pending, dead and lag per context; exit code 3 if any row is dead",
            description="Outbox and inbox rows pending, dead and parked, and the lag, per "
            f"context. Exit code: 0 when no inbox row is dead, {DEAD_ROWS} when any is "
            "(the table or document is printed either way), 1 on an error, 2 on a usage "
            "error.",
        )
        status.add_argument(
            "--format",
            dest="output_format",
            choices=["table", "json"],
            default="table",
            help="table (default) or json: one machine-readable document",
        )
        retry = sub.add_parser("retry", help="make dead or parked inbox rows due again")
        retry.add_argument("event_id", nargs="?", type=UUID)
        retry.add_argument("--dead", action="store_true", help="every dead and parked row")
        purge = sub.add_parser("purge", help="delete dispatched outbox and done inbox rows")
        purge.add_argument("--older-than", type=parse_age, default=None)
        work = sub.add_parser("work", help="relay and handle events in the foreground")
        work.add_argument("--once", action="store_true", help="drain once and exit")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _status(self, output_format="table", **options):
        now = timezone.now()
        statuses = [operations.status(store) for store in bus.hosted_stores()]
        if output_format == "json":
            self.stdout.write(json.dumps(status_document(statuses, now), indent=2))
        else:
            self._status_table(statuses, now)
        dead = sum(s.inbox_dead for s in statuses)
        if dead:
            raise CommandError(
                f"{dead} dead inbox rows: read their last_error, fix the cause, then "
                "`events retry --dead`",
                returncode=DEAD_ROWS,
            )

    def _status_table(self, statuses, now):
        here = topology.current()
        self.stdout.write(
            f"{'context':<10} {'outbox':>7} {'inbox':>7} {'dead':>5} {'parked':>6} {'oldest (s)':>10}"
            f"   service {here.this} (hosts {', '.join(here.service.hosts)})"
        )
        for s in statuses:
            self.stdout.write(
                f"{s.context:<10} {s.outbox_pending:>7} {s.inbox_pending:>7} {s.inbox_dead:>5}"
                f" {s.inbox_parked:>6} {s.lag_seconds(now):>10.1f}"
            )

    def _retry(self, event_id=None, dead=False, **options):
        if event_id is None and not dead:
            raise CommandError("give an event id, or --dead for every dead row")
        count = operations.retry(event_id=event_id, dead=dead)
        self.stdout.write(self.style.SUCCESS(f"{count} inbox rows are due again."))

    def _purge(self, older_than=None, **options):
        age = older_than or timedelta(days=event_settings().retention_days)
        purged = operations.purge(older_than=age)
        for context, count in purged.items():
            self.stdout.write(f"{context}: {count} rows purged")

    def _work(self, once=False, **options):
        if once:
            self.stdout.write(f"{worker.drain()} rows moved")
            return
        interval = event_settings().sweep_seconds
        self.stdout.write(f"relaying and handling events every {interval}s; Ctrl-C to stop")
        while True:
            close_old_connections()
            worker.drain()  # logs and skips a store that is down
            worker.run_scheduled_jobs()
            time.sleep(interval)


def status_document(statuses: list[operations.StoreStatus], now) -> dict:
    """`events status --format json`: per context and in total, and whether anything is dead."""

    def when(moment):
        return moment.isoformat() if moment else None

    contexts = {
        s.context: {
            "outbox_pending": s.outbox_pending,
            "outbox_oldest_pending": when(s.outbox_oldest_pending),
            "inbox_pending": s.inbox_pending,
            "inbox_oldest_pending": when(s.inbox_oldest_pending),
            "inbox_dead": s.inbox_dead,
            "inbox_parked": s.inbox_parked,
            "lag_seconds": round(s.lag_seconds(now), 3),
        }
        for s in statuses
    }
    totals = {
        key: sum(context[key] for context in contexts.values())
        for key in ("outbox_pending", "inbox_pending", "inbox_dead", "inbox_parked")
    }
    totals["lag_seconds"] = max((c["lag_seconds"] for c in contexts.values()), default=0.0)
    return {
        "checked_at": now.isoformat(),
        **topology.current().describe(),
        "healthy": totals["inbox_dead"] == 0,
        "exit_code": DEAD_ROWS if totals["inbox_dead"] else 0,
        "totals": totals,
        "contexts": contexts,
    }
