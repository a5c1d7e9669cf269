"""manage.py events status | retry [EVENT_ID | --dead] | purge --older-than 7d | work"""

from __future__ import annotations

import argparse
import re
import time
from datetime import timedelta
from uuid import UUID

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from shop.platform.events import operations, worker
from shop.platform.events.bus import bus
from shop.platform.events.settings import event_settings

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
        sub.add_parser("status", help="pending, dead and lag per context")
        retry = sub.add_parser("retry", help="make dead or parked inbox rows due again")
        retry.add_argument("event_id", nargs="?", type=UUID)
        retry.add_argument("--dead", action="store_true", help="every dead and parked row")
        purge = sub.add_parser("purge", help="delete dispatched outbox and done inbox rows")
        purge.add_argument("--older-than", type=parse_age, default=None)
        work = sub.add_parser("work", help="relay and handle events in the foreground")
        work.add_argument("--once", action="store_true", help="drain once and exit")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _status(self, **options):
        now = timezone.now()
        self.stdout.write(
            f"{'context':<10} {'outbox':>7} {'inbox':>7} {'dead':>5} {'parked':>6} {'oldest (s)':>10}"
        )
        for store in bus.stores.values():
            s = operations.status(store)
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
