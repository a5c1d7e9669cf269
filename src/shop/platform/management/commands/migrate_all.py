"""manage.py migrate_all: apply every hosted context's migrations to its own alias."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from shop.platform.db import hosted_aliases


class Command(BaseCommand):
    help = "Run `migrate` once per alias this process hosts (default, then each context)."

    def handle(self, *args, **options):
        for alias in hosted_aliases():
            self.stdout.write(f"== {alias}")
            call_command(
                "migrate", database=alias, interactive=False, verbosity=options["verbosity"]
            )
