"""manage.py migrate_all: apply every context's migrations to that context's own alias."""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections


class Command(BaseCommand):
    help = "Run `migrate` once per database alias (default, then each context)."

    def handle(self, *args, **options):
        for alias in connections:
            self.stdout.write(f"== {alias}")
            call_command(
                "migrate", database=alias, interactive=False, verbosity=options["verbosity"]
            )
