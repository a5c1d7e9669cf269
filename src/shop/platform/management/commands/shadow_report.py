"""`manage.py shadow_report [DIR]`: did the shadow answer what the monolith answered?

Reads every side's records (`SHOP_SHADOW_DIR`, or DIR) and prints how many shadowed
requests matched, then each mismatch with both bodies and their diff. Exit status 0 when
the verdict is "go" (at least one request compared, every one matched), 1 otherwise: the
status a cutover script checks.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shop.platform.shadow.report import compare, pretty, records_in


class Command(BaseCommand):
    help = "Compare the monolith's and the shadow service's answers to mirrored requests."

    def add_arguments(self, parser):
        parser.add_argument(
            "directory",
            nargs="?",
            help="where the records are (default: SHOP_SHADOW_DIR)",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--show", type=int, default=20, help="mismatches to print in full (default 20)"
        )

    def handle(self, *args, directory=None, format="text", show=20, **options):  # noqa: A002
        path = Path(directory or settings.SHOP_SHADOW["dir"])
        if not path.is_dir():
            raise CommandError(f"no shadow records at {path}: not a directory")
        report = compare(records_in(path))
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        else:
            self._text(path, report, show)
        if not report.go:
            raise SystemExit(1)

    def _text(self, path: Path, report, show: int) -> None:
        write = self.stdout.write
        share = f" ({100 * report.matched / report.compared:.1f}%)" if report.compared else ""
        write(f"shadow records in {path}")
        write(
            f"compared {report.compared}: matched {report.matched}{share}, "
            f"mismatched {len(report.mismatches)}, without a shadow answer "
            f"{len(report.shadow_missing)}"
        )
        if report.unpaired_shadow:
            write(
                f"shadow answers without a primary record (ignored): {len(report.unpaired_shadow)}"
            )
        if report.unreadable:
            write(f"unreadable lines (ignored): {', '.join(report.unreadable[:5])}")
        for mismatch in report.mismatches[:show]:
            primary, shadow = mismatch.primary, mismatch.shadow
            write("")
            write(f"MISMATCH {primary.request_id} GET {primary.path}")
            write(f"  primary ({primary.service}): status {primary.status}")
            write(_indent(pretty(primary.body)))
            write(f"  shadow ({shadow.service}): status {shadow.status}")
            write(_indent(pretty(shadow.body)))
            write("  diff:")
            write(_indent("\n".join(mismatch.diff())))
        if len(report.mismatches) > show:
            write(f"... and {len(report.mismatches) - show} more mismatches (--show N)")
        for record in report.shadow_missing[:show]:
            write(f"NO SHADOW ANSWER {record.request_id} GET {record.path}")
        write("")
        write(report.verdict())


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())
