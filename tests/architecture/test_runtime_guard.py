"""Check 6: the runtime guard stops any alias from querying another context's tables.

tests/conftest.py installs the guard for the whole run; these tests use that same guard
(the `runtime_table_guard` fixture), so a canary that passes here proves every other test
runs under it. The guard takes what it recorded, so the canary itself does not fail at
teardown.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connections

from shop.catalog import api as catalog
from shop.inventory import api as inventory
from shop.ordering.api import order_summary
from shop.ordering.application.place_order import PlaceOrder, place_order
from shop.platform.architecture.runtime_guard import CrossContextQuery, TableGuard, tables_in


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize(
    "sql",
    [
        'SELECT COUNT(*) FROM "billing_invoice"',
        "select count(*) from billing_invoice",
        'SELECT o.id FROM "ordering_order" o INNER JOIN "billing"."billing_invoice" i ON TRUE',
    ],
)
def test_ordering_querying_a_billing_table_is_stopped_before_it_reaches_the_store(
    runtime_table_guard, sql
):
    with pytest.raises(CrossContextQuery, match="billing_invoice"):
        with connections["ordering"].cursor() as cursor:
            cursor.execute(sql)

    (access, *_) = runtime_table_guard.take()
    assert (access.alias, access.owner) == ("ordering", "billing")
    assert access.sql == sql
    # Never sent: on PostgreSQL a refused statement would have aborted the transaction.
    with connections["ordering"].cursor() as cursor:
        cursor.execute('SELECT COUNT(*) FROM "ordering_order"')
        assert cursor.fetchone() == (0,)


@pytest.mark.django_db(databases="__all__")
def test_naming_another_contexts_schema_is_stopped(runtime_table_guard):
    with pytest.raises(CrossContextQuery, match="schema billing"):
        with connections["ordering"].cursor() as cursor:
            cursor.execute("SELECT 1 FROM billing.anything")

    assert [a.table for a in runtime_table_guard.take()] == ["schema billing"]


@pytest.mark.django_db(databases="__all__", transaction=True)
def test_a_query_from_another_thread_is_caught_too(runtime_table_guard):
    caught: list[BaseException] = []

    def query_from_a_worker() -> None:
        try:
            with connections["inventory"].cursor() as cursor:
                cursor.execute('SELECT * FROM "ordering_order"')
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            caught.append(error)
        finally:
            connections.close_all()

    worker = threading.Thread(target=query_from_a_worker)
    worker.start()
    worker.join()

    assert [type(error) for error in caught] == [CrossContextQuery]
    assert [(a.alias, a.table) for a in runtime_table_guard.take()] == [
        ("inventory", "ordering_order")
    ]


def test_the_access_is_recorded_before_the_statement_runs():
    guard = TableGuard({"billing_invoice": "billing", "ordering_order": "ordering"}, strict=False)
    guard.installed = True
    ordering = SimpleNamespace(alias="ordering")
    recorded_when_run: list[int] = []

    def refusing_store(sql, params, many, context):
        recorded_when_run.append(len(guard._accesses))
        raise PermissionError("permission denied for schema billing")

    with pytest.raises(PermissionError):
        guard(
            refusing_store, "SELECT * FROM billing_invoice", None, False, {"connection": ordering}
        )

    assert recorded_when_run == [1]
    assert [(a.alias, a.table, a.owner) for a in guard.take()] == [
        ("ordering", "billing_invoice", "billing")
    ]


def test_own_tables_and_migration_history_pass():
    guard = TableGuard({"ordering_order": "ordering", "django_migrations": "default"})

    assert guard.foreign_tables("ordering", 'SELECT * FROM "ordering_order"') == []
    assert guard.foreign_tables("ordering", "SELECT app FROM django_migrations") == []
    assert guard.foreign_tables("ordering", "SELECT * FROM pg_catalog.pg_class") == []


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('SELECT "a"."x" FROM "a" INNER JOIN "b" T3 ON (1) LEFT OUTER JOIN c', ["a", "b", "c"]),
        ('INSERT INTO "a" ("x", "y") VALUES (1, 2)', ["a"]),
        ("UPDATE a SET x = 1, y = 2 WHERE id IN (SELECT id FROM b)", ["a", "b"]),
        ('DELETE FROM "Billing"."A"', ["a"]),
        ('TRUNCATE "a", "b", c RESTART IDENTITY', ["a", "b", "c"]),
        ("SELECT * FROM a AS x, b y, c WHERE x.id = y.id ORDER BY 1, 2", ["a", "b", "c"]),
        ("CREATE TABLE IF NOT EXISTS a (id int)", ["a"]),
    ],
)
def test_tables_are_read_after_every_table_keyword(sql, tables):
    assert [table for _, table in tables_in(sql)] == tables


@pytest.mark.django_db(databases="__all__")
def test_cross_context_api_calls_pass_the_guard(runtime_table_guard):
    catalog.add_product(
        sku="MUG-1", name="Mug", description="A mug.", price=Decimal("4.50"), currency="EUR"
    )
    level = inventory.count_stock(sku="MUG-1", on_hand=3)  # inventory asks catalog
    order = place_order(  # ordering asks catalog for prices
        PlaceOrder(customer_id=7, lines=[("MUG-1", 2)], payment_token="tok_visa")
    )

    assert level.available == 3
    assert order_summary(str(order.id)).status == "pending"
    assert runtime_table_guard.take() == []
