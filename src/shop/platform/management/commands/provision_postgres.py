"""manage.py provision_postgres: create the database, schemas, roles and grants (idempotent).

Only what this process's service hosts (docs/topology.md): the identity schema only where
identity is hosted, and each context's schema in the database its store names (a topology
file's `[stores]`, or SHOP_<ALIAS>_DATABASE_URL).
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shop.platform import topology
from shop.platform.db import hosted_aliases
from shop.platform.db.config import postgres_targets, store_env
from shop.platform.db.provisioning import provision


class Command(BaseCommand):
    help = (
        "Create the PostgreSQL database, one schema and one login role per context this "
        "service hosts, and their grants. Safe to run again. Needs a superuser URL "
        "(--admin-url or SHOP_DATABASE_ADMIN_URL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--admin-url", default=os.environ.get("SHOP_DATABASE_ADMIN_URL"))

    def handle(self, *args, admin_url, **options):
        database_url = os.environ.get("SHOP_DATABASE_URL")
        if not database_url:
            raise CommandError("SHOP_DATABASE_URL is not set: the shop is using its SQLite stores.")
        if not admin_url:
            raise CommandError("Give a superuser URL with --admin-url or SHOP_DATABASE_ADMIN_URL.")
        env = store_env(topology.current().stores, os.environ)
        hosted = hosted_aliases()
        targets = [
            t
            for t in postgres_targets(settings.SHOP_CONTEXTS, database_url, env)
            if t.alias in hosted
        ]
        provision(admin_url, targets, say=lambda line: self.stdout.write(f"  {line}"))
        for t in targets:
            self.stdout.write(f"{t.alias}: schema {t.dbname}.{t.schema}, role {t.role}")
        self.stdout.write(self.style.SUCCESS("PostgreSQL is provisioned."))
