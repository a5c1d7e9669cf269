"""Scratch PostgreSQL stores for the move_store tests.

A shared database of the test's own, provisioned as production is (a schema and a role per
alias, under a role prefix nobody else uses); billing's alias points at it while the test
runs, migrated and filled through billing's own handlers: OrderPlaced and StockReserved
envelopes accepted into its inbox and handled, as a consumer would. Everything is dropped
afterwards, the databases first, then the roles.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections, transaction
from django.utils import timezone
from psycopg import sql

from shop.inventory.events import StockReserved
from shop.kernel import Money
from shop.ordering import api as ordering
from shop.ordering.events import OrderPlaced
from shop.platform.db.config import DEFAULT_ALIAS, postgres_targets, schema_for
from shop.platform.db.provisioning import admin_connect, drop_database, provision
from shop.platform.events import bus, envelope, inbox

ADMIN_URL = os.environ.get("SHOP_DATABASE_ADMIN_URL", "")
BILLING = "billing"
# (order, payment token, whether its stock was reserved): paid, declined, issued only.
ORDERS = [
    ("order-1", "tok_visa", True),
    ("order-2", "tok_declined", True),
    ("order-3", "tok_visa", False),
    ("order-4", "tok_visa", False),
    ("order-5", "tok_visa", True),
]


@dataclass(frozen=True)
class Scratch:
    source_db: str
    prefix: str

    def url(self, dbname: str) -> str:
        return f"postgresql://127.0.0.1:5432/{dbname}"

    def database(self, suffix: str) -> str:
        """A target database name under this scratch's prefix (dropped afterwards)."""
        return f"{self.source_db}_{suffix}"

    def role(self, alias: str) -> str:
        return f"{self.prefix}_{schema_for(alias)}"

    @property
    def roles(self) -> list[str]:
        return [self.role(alias) for alias in [DEFAULT_ALIAS, *settings.SHOP_CONTEXTS]]

    def admin(self, dbname: str | None = None) -> psycopg.Connection:
        return admin_connect(ADMIN_URL, dbname or self.source_db)


def summary(order_id: str) -> ordering.OrderSummary:
    return ordering.OrderSummary(order_id, 7, "awaiting_payment", Money("9.00", "EUR"))


def deliver(event) -> None:
    """As billing's consumer does: into the inbox, then every due row handled."""
    store = bus.store_of(BILLING)
    inbox.accept(envelope.build(event, sequence=1), BILLING)
    while inbox.process_due(store):
        pass


def order_placed(order_id: str, token: str) -> OrderPlaced:
    return OrderPlaced(
        order_id=order_id,
        customer_id=7,
        lines=(("MUG-CLASSIC", 1, "9.00"),),
        total="9.00",
        currency="EUR",
        payment_token=token,
    )


def stock_reserved(order_id: str) -> StockReserved:
    return StockReserved(order_id=order_id, lines=(("MUG-CLASSIC", 1),))


@contextmanager
def billing_at(dbname: str, scratch: Scratch) -> Iterator[None]:
    """Billing's alias on `dbname`, as its role, for a while."""
    billing = connections[BILLING]
    saved = {key: billing.settings_dict[key] for key in ("NAME", "USER")}
    billing.close()
    billing.settings_dict.update(NAME=dbname, USER=scratch.role(BILLING))
    try:
        yield
    finally:
        billing.close()
        billing.settings_dict.update(saved)


def fill(scratch: Scratch) -> None:
    """Invoices paid, declined and only issued; every outbox row dispatched, an hour ago;
    order-3's outbox rows purged (its event sequence stays in billing_event_sequence)."""
    for order_id, token, reserved in ORDERS:
        deliver(order_placed(order_id, token))
        if reserved:
            deliver(stock_reserved(order_id))
    store = bus.store_of(BILLING)
    hour_ago = timezone.now() - timedelta(hours=1)
    with transaction.atomic(using=BILLING):
        store.outbox.objects.using(BILLING).update(dispatched_at=hour_ago, created_at=hour_ago)
        store.outbox.objects.using(BILLING).filter(subject="order-3").delete()
        store.inbox.objects.using(BILLING).update(received_at=hour_ago, done_at=hour_ago)


@contextmanager
def scratch_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[Scratch]:
    tag = uuid.uuid4().hex[:8]
    scratch = Scratch(source_db=f"shop_move_{tag}", prefix=f"mv_{tag}")
    monkeypatch.setenv("SHOP_DATABASE_URL", scratch.url(scratch.source_db))
    monkeypatch.setenv("SHOP_DB_ROLE_PREFIX", scratch.prefix)
    monkeypatch.delenv("SHOP_BILLING_DATABASE_URL", raising=False)
    monkeypatch.setattr(ordering, "order_summary", summary)
    billing = connections[BILLING]
    saved = dict(billing.settings_dict)
    try:
        provision(
            ADMIN_URL,
            postgres_targets(settings.SHOP_CONTEXTS, scratch.url(scratch.source_db), os.environ),
        )
        billing.close()
        billing.settings_dict.update(
            NAME=scratch.source_db, USER=scratch.role(BILLING), PASSWORD=""
        )
        call_command("migrate", database=BILLING, interactive=False, verbosity=0)
        fill(scratch)
        yield scratch
    finally:
        billing.close()
        billing.settings_dict.clear()
        billing.settings_dict.update(saved)
        with admin_connect(ADMIN_URL) as conn:
            names = [
                name
                for (name,) in conn.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s",
                    [f"{scratch.source_db}%"],
                )
            ]
        for name in names:
            drop_database(ADMIN_URL, name)
        with admin_connect(ADMIN_URL) as conn:
            for role in scratch.roles:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def state(scratch: Scratch, *targets: str) -> dict:
    """Everything a refused move must leave as it was: billing's schema in the source (its
    owner, grants and every table's rows), the databases (whether they exist, who may
    connect), the target databases' billing schema, and the scratch roles' settings."""
    found: dict = {}
    with admin_connect(ADMIN_URL) as conn:
        found["databases"] = conn.execute(
            "SELECT datname, datacl::text FROM pg_database WHERE datname = ANY(%s) ORDER BY 1",
            [[scratch.source_db, *targets]],
        ).fetchall()
        found["roles"] = conn.execute(
            "SELECT rolname, rolconfig FROM pg_roles WHERE rolname = ANY(%s) ORDER BY 1",
            [scratch.roles],
        ).fetchall()
    for dbname in [scratch.source_db, *targets]:
        if any(name == dbname for name, _ in found["databases"]):
            with scratch.admin(dbname) as conn:
                found[dbname] = _schema_state(conn)
    return found


def _schema_state(conn: psycopg.Connection) -> list:
    rows = conn.execute(
        "SELECT n.nspname, pg_get_userbyid(n.nspowner), n.nspacl::text, c.relname,"
        " pg_get_userbyid(c.relowner), c.relacl::text, c.relkind::text"
        " FROM pg_namespace n LEFT JOIN pg_class c ON c.relnamespace = n.oid"
        " WHERE n.nspname = %s ORDER BY c.relname",
        [BILLING],
    ).fetchall()
    tables = [row[3] for row in rows if row[6] == "r"]
    contents = [
        conn.execute(
            sql.SQL(
                "SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {} t"
            ).format(sql.Identifier(BILLING, table))
        ).fetchone()
        for table in tables
    ]
    return [rows, contents]
