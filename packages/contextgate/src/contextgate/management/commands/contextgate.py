"""``manage.py contextgate``: the gate in Django mode (same checks, Django's models).

Run from the project's root (the folder of ``importlinter.ini``), or pass ``--path``. Exit
status as ``contextgate check``: 0 passed, 1 violations, 2 the gate could not run.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from contextgate import cli
from contextgate.declaration import DeclarationError
from contextgate.django_mode import registry_models
from contextgate.project import Project


class Command(BaseCommand):
    help = "Check the bounded contexts declared in importlinter.ini, with Django's app registry."
    # The gate reads code, not databases; Django's own system checks are `manage.py check`.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=Path("."), help="the project's root")
        cli.add_options(parser)

    def handle(self, *args, **options):
        path = options["path"]
        try:
            project = Project.load(path, options["config"], models=registry_models)
        except DeclarationError as error:
            raise CommandError(f"contextgate: {error}", returncode=cli.UNUSABLE) from error
        status = cli.run(project, _Options(options), self.stdout, self.stderr.write)
        if status != cli.PASSED:
            raise CommandError("contextgate: the architecture gate failed", returncode=status)


class _Options:
    def __init__(self, options: dict) -> None:
        self.__dict__.update(options)
