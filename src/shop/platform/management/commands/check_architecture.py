"""manage.py check_architecture: the architecture gate (see docs/architecture-gate.md).

Runs every check of `shop.platform.architecture.checks` on the project declared in
settings.SHOP_ARCHITECTURE, lets each package's architecture_todo.toml tolerate known
violations, and exits 1 on any new violation or stale ratchet entry.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

# The gate reads the import graph with grimp and import-linter, which only the dev extra
# installs: the shop itself never needs them, so a plain `pip install -e .` (the image)
# has this command but not its tools, and says so in one line.
DEV_ONLY = {"grimp", "importlinter"}
try:
    from shop.platform.architecture import docs, gate, ratchet, reports, sarif
    from shop.platform.architecture.checks import CHECKS
    from shop.platform.architecture.checks.config import expected_importlinter_config
    from shop.platform.architecture.codebase import Codebase
    from shop.platform.architecture.declaration import Architecture
except ModuleNotFoundError as missing:
    MISSING: str | None = (missing.name or "").partition(".")[0]
    if MISSING not in DEV_ONLY:
        raise
    CHECKS = []
else:
    MISSING = None


class Command(BaseCommand):
    help = (
        "Check the architecture: imports, public names, ORM relations, tables, string refs, "
        "generated docs."
    )
    # The gate reads code, not databases; Django's own system checks are `manage.py check`.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json", "sarif"], default="text")
        parser.add_argument(
            "--check",
            action="append",
            choices=[check.id for check in CHECKS] or None,
            help="Run only this check (repeatable). Ratchet entries of other checks are kept.",
        )
        parser.add_argument(
            "--update-ratchet",
            action="store_true",
            help="Rewrite every architecture_todo.toml to tolerate exactly today's violations.",
        )
        parser.add_argument(
            "--write-importlinter",
            action="store_true",
            help="Regenerate importlinter.ini from the declaration, then check.",
        )
        parser.add_argument(
            "--write-docs",
            action="store_true",
            help="Regenerate the architecture docs (docs_dir) from the code, then check.",
        )

    def handle(self, *args, **options):
        if MISSING:
            raise CommandError(
                f"check_architecture needs the dev extra ({MISSING} is not installed): "
                "pip install -e '.[dev]'"
            )
        codebase = Codebase(Architecture.from_settings())
        checks = [c for c in CHECKS if not options["check"] or c.id in options["check"]]
        if options["write_importlinter"]:
            path = codebase.workdir / codebase.architecture.importlinter_config
            path.write_text(expected_importlinter_config(codebase))
            self.stderr.write(f"Wrote {codebase.relpath(path)}")
        if options["write_docs"]:
            if docs.docs_dir(codebase) is None:
                raise CommandError("--write-docs needs docs_dir in the architecture declaration.")
            for path in docs.write(codebase):
                self.stderr.write(f"Wrote {codebase.relpath(path)}")
        if options["update_ratchet"]:
            if options["check"]:
                raise CommandError("--update-ratchet needs every check: drop --check.")
            violations, _, _ = gate.find_violations(codebase, checks)
            entries, _ = ratchet.read(codebase)
            for path in ratchet.write(codebase, violations, entries):
                self.stderr.write(f"Wrote {codebase.relpath(path)}")
        outcome = gate.run(codebase, checks)
        render = {
            "text": lambda: reports.as_text(outcome, codebase.architecture.contexts),
            "json": lambda: reports.as_json(outcome),
            "sarif": lambda: sarif.as_sarif(outcome),
        }[options["format"]]
        self.stdout.write(render(), ending="")
        if not outcome.passed:
            verdict = outcome.verdict
            raise CommandError(
                f"architecture gate failed: {len(verdict.new)} new violation(s), "
                f"{len(verdict.stale)} stale ratchet entr(y/ies)",
                returncode=1,
            )
