"""The guard's reading of SQL and its verdicts, on a hand-made table-owner mapping.

No database and no models: each test calls the execute wrapper with a stand-in
connection, which is all the guard reads from it (its ``alias``).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from contextgate.guard import CrossContextQuery, TableGuard, tables_in

OWNERS = {"orders_order": "orders", "invoices_invoice": "invoices"}


def _run(guard: TableGuard, alias: str, sql: str) -> list[str]:
    """Send `sql` on `alias` through the guard; the statements that reached the store."""
    sent: list[str] = []

    def store(sql, params, many, context):
        sent.append(sql)

    guard(store, sql, None, False, {"connection": SimpleNamespace(alias=alias)})
    return sent


def test_the_access_is_recorded_before_the_statement_runs():
    guard = TableGuard(OWNERS, strict=False)
    guard.installed = True
    orders = SimpleNamespace(alias="orders")
    recorded_when_run: list[int] = []

    def refusing_store(sql, params, many, context):
        recorded_when_run.append(len(guard._accesses))
        raise PermissionError("permission denied for schema invoices")

    with pytest.raises(PermissionError):
        guard(refusing_store, "SELECT * FROM invoices_invoice", None, False, {"connection": orders})

    assert recorded_when_run == [1]
    assert [(a.alias, a.table, a.owner) for a in guard.take()] == [
        ("orders", "invoices_invoice", "invoices")
    ]
    assert guard.take() == []


def test_strict_stops_the_statement_before_the_store():
    guard = TableGuard(OWNERS)
    guard.installed = True

    with pytest.raises(CrossContextQuery, match="'orders' touched invoices_invoice"):
        _run(guard, "orders", 'SELECT * FROM "invoices_invoice"')
    with pytest.raises(CrossContextQuery, match="schema invoices"):
        _run(guard, "orders", "SELECT 1 FROM invoices.anything")

    assert [a.table for a in guard.take()] == ["invoices_invoice", "schema invoices"]
    assert _run(guard, "orders", 'SELECT * FROM "orders_order"') == ['SELECT * FROM "orders_order"']


def test_allowed_lets_a_statement_through_unrecorded():
    guard = TableGuard(OWNERS)
    guard.installed = True
    sql = "SELECT * FROM invoices_invoice"

    with guard.allowed():
        with guard.allowed():
            assert _run(guard, "orders", sql) == [sql]
        assert _run(guard, "orders", sql) == [sql]

    assert guard.take() == []
    with pytest.raises(CrossContextQuery):
        _run(guard, "orders", sql)


def test_a_guard_not_installed_passes_everything():
    guard = TableGuard(OWNERS)
    sql = "SELECT * FROM invoices_invoice"

    assert _run(guard, "orders", sql) == [sql]
    assert guard.take() == []


def test_own_tables_and_migration_history_pass():
    guard = TableGuard({**OWNERS, "django_migrations": "default"})

    assert guard.foreign_tables("orders", 'SELECT * FROM "orders_order"') == []
    assert guard.foreign_tables("orders", "SELECT app FROM django_migrations") == []
    assert guard.foreign_tables("orders", "SELECT * FROM pg_catalog.pg_class") == []
    assert guard.foreign_tables("orders", 'SELECT * FROM "orders"."orders_order"') == []


def test_the_report_names_alias_table_owner_and_the_statement_shortened():
    guard = TableGuard(OWNERS)
    ids = ", ".join(["1"] * 400)
    sql = f"SELECT *\n  FROM invoices_invoice WHERE id IN ({ids})"  # noqa: S608 - no input

    (access,) = guard.foreign_tables("orders", sql)
    first, statement = str(access).splitlines()

    assert first == "alias 'orders' touched invoices_invoice, which belongs to 'invoices':"
    assert statement.strip().startswith("SELECT * FROM invoices_invoice WHERE id IN (1, 1")
    assert statement.endswith("...") and len(statement.strip()) == 500
    assert access.sql == sql


@pytest.mark.parametrize(
    ("sql", "tables"),
    [
        ('SELECT "a"."x" FROM "a" INNER JOIN "b" T3 ON (1) LEFT OUTER JOIN c', ["a", "b", "c"]),
        ('INSERT INTO "a" ("x", "y") VALUES (1, 2)', ["a"]),
        ("UPDATE a SET x = 1, y = 2 WHERE id IN (SELECT id FROM b)", ["a", "b"]),
        ('DELETE FROM "Invoices"."A"', ["a"]),
        ('TRUNCATE "a", "b", c RESTART IDENTITY', ["a", "b", "c"]),
        ("SELECT * FROM a AS x, b y, c WHERE x.id = y.id ORDER BY 1, 2", ["a", "b", "c"]),
        ("CREATE TABLE IF NOT EXISTS a (id int)", ["a"]),
        ("SELECT * FROM `a` JOIN [b] ON 1", ["a", "b"]),
    ],
)
def test_tables_are_read_after_every_table_keyword(sql, tables):
    assert [table for _, table in tables_in(sql)] == tables


def test_the_schema_is_read_too():
    assert tables_in('SELECT 1 FROM "Invoices"."invoices_invoice", orders.orders_order') == (
        ("invoices", "invoices_invoice"),
        ("orders", "orders_order"),
    )
