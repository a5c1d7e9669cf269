"""manage.py move_store CONTEXT --to URL: a context's store into a database of its own.

docs/topology.md (Moving a store) and ADR 0024. Refusals and failures are one line on
stderr and exit status 1; a refusal changes nothing, a failure commits nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shop.platform.db.config import alias_for
from shop.platform.db.moving import stores_entry
from shop.platform.db.moving.checks import Refused
from shop.platform.db.moving.move import Failed, Options, Report, move
from shop.platform.db.moving.plan import Plan, plan


class Command(BaseCommand):
    help = (
        "Copy a context's schema (its tables, django_migrations, event sequences, outbox and "
        "inbox) into the database at --to, verify every table's rows and checksum, close "
        "the old copy to every role, and print the topology's [stores] entry for it."
    )

    def add_arguments(self, parser):
        parser.add_argument("context", help="the context whose store moves, e.g. billing")
        parser.add_argument(
            "--to",
            required=True,
            metavar="URL",
            help="postgresql://HOST:PORT/DBNAME, as the topology's [stores] will name it",
        )
        parser.add_argument(
            "--admin-url",
            default=os.environ.get("SHOP_DATABASE_ADMIN_URL"),
            help="a superuser URL for the source's server (default: SHOP_DATABASE_ADMIN_URL)",
        )
        parser.add_argument(
            "--target-admin-url",
            help="a superuser URL for the target's server, if another (default: --admin-url)",
        )
        parser.add_argument(
            "--write",
            action="append",
            default=[],
            type=Path,
            metavar="FILE",
            help="write the [stores] entry into this topology file (repeat for each)",
        )
        parser.add_argument(
            "--quiet-for",
            type=float,
            default=30.0,
            metavar="SECONDS",
            help="refuse if the store received, handled or published a message this recently "
            "(default 30)",
        )
        parser.add_argument(
            "--lock-timeout",
            type=float,
            default=5.0,
            metavar="SECONDS",
            help="how long to wait for a transaction on the store's tables (default 5)",
        )
        parser.add_argument(
            "--drop-old",
            action="store_true",
            help="drop the old schema once the copy is verified (default: keep it, closed)",
        )

    def handle(self, *args, context, to, admin_url, target_admin_url, write, **options):
        try:
            moving = plan(context, to, os.environ)
            if not admin_url:
                raise Refused("give a superuser URL with --admin-url or SHOP_DATABASE_ADMIN_URL")
            edits = {path: stores_entry.edited(path, context, to) for path in write}
            report = move(
                moving,
                Options(
                    admin_url=admin_url,
                    target_admin_url=target_admin_url or admin_url,
                    quiet_for=options["quiet_for"],
                    lock_timeout=options["lock_timeout"],
                    drop_old=options["drop_old"],
                ),
                say=lambda line: self.stdout.write(f"  {line}"),
            )
        except Refused as refused:
            message = f"{context}'s store was not moved (nothing changed): {refused}"
            raise CommandError(message) from refused
        except Failed as failed:
            if failed.report is not None:
                self._print(failed.report)
            raise CommandError(
                f"{context}'s store was not moved: {failed} (the source is as it was; the "
                "target is provisioned and empty)"
            ) from failed
        self._print(report)
        for path, text in edits.items():
            stores_entry.write(path, text)
            self.stdout.write(f"wrote the [stores] entry into {path}")
        self._print_change(moving, options["drop_old"])

    def _print(self, report: Report) -> None:
        out = self.stdout.write
        width = max([len(t.name) for t in report.tables] + [len(s.name) for s in report.sequences])
        out(f"{'table':<{width}}  {'rows':>10}  {'copied':>10}  {'md5':<32}  copied md5")
        for t in report.tables:
            out(
                f"{t.name:<{width}}  {t.source.rows:>10}  {t.copy.rows:>10}  {t.source.md5}  "
                f"{t.copy.md5}  {'ok' if t.ok else 'MISMATCH'}"
            )
        out(f"\n{'sequence':<{width}}  {'last value':>10}  {'copied':>10}")
        for s in report.sequences:
            out(
                f"{s.name:<{width}}  {_value(s.source):>10}  {_value(s.copy):>10}  "
                f"{'ok' if s.ok else 'MISMATCH'}"
            )
        for line in report.schema_differences:
            out(f"schema {line}")
        if report.reaches:
            out("\nwho may reach what now:")
            role_width = max(len(r.role) for r in report.reaches)
            for r in report.reaches:
                verdict = "yes" if r.allowed else "no"
                flag = "" if r.allowed == r.expected else "  WRONG"
                out(f"  {r.role:<{role_width}}  {r.what}: {verdict}{flag}")
        out("")

    def _print_change(self, moving: Plan, dropped: bool) -> None:
        out, context = self.stdout.write, moving.context
        old = f"{moving.source.dbname}.{moving.schema}"
        out(
            self.style.SUCCESS(
                f"{context}'s store is now {moving.url} (schema {moving.schema}, role "
                f"{moving.role}); the old copy {old} is "
                f"{'dropped' if dropped else 'closed to every role'}."
            )
        )
        variable = f"SHOP_{alias_for(context).upper()}_DATABASE_URL"
        out(
            f"Name it in every topology that hosts {context}, the monolith's and the split's, "
            "so either serves these rows:"
        )
        out(f"\n{stores_entry.entry(context, moving.url)}\n")
        out(f"Or, without a topology file, set {variable}={moving.url} for every service.")
        if os.environ.get(variable):
            out(
                self.style.WARNING(
                    f"{variable} is set here ({os.environ[variable]}) and wins over [stores]: "
                    "change it too."
                )
            )


def _value(value: tuple[int, bool]) -> str:
    last, called = value
    return str(last) if called else f"{last}, unused"
