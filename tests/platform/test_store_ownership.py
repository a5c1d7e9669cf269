"""Each context's data lives in its own store, and the stores enforce it.

Store-independent checks run on SQLite and PostgreSQL; the permission checks need
PostgreSQL roles and run there (CI runs both).
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connections, transaction

from shop.platform.db.config import DEFAULT_ALIAS, schema_for

CONTEXTS = settings.SHOP_CONTEXTS
ALIASES = [DEFAULT_ALIAS, *CONTEXTS]


def tables_of(alias: str) -> set[str]:
    """The tables of the models that belong on `alias`."""
    return {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if (model._meta.app_label if model._meta.app_label in CONTEXTS else DEFAULT_ALIAS) == alias
    }


@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("alias", ALIASES)
def test_each_store_holds_exactly_its_own_contexts_tables(alias):
    visible = set(connections[alias].introspection.table_names()) - {"django_migrations"}
    assert tables_of(alias) <= visible
    others = set().union(*(tables_of(a) for a in ALIASES if a != alias))
    assert visible & others == set(), f"{alias} can see another context's tables"


@pytest.mark.postgres
@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("alias", ALIASES)
def test_each_alias_connects_as_its_own_role_into_its_own_schema(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT current_user, current_schema()")
        user, schema = cursor.fetchone()
    assert user == settings.DATABASES[alias]["USER"]
    assert schema == schema_for(alias)


@pytest.mark.postgres
@pytest.mark.django_db(databases="__all__")
def test_every_context_table_lives_in_its_contexts_schema():
    with connections[DEFAULT_ALIAS].cursor() as cursor:
        cursor.execute("SELECT tablename, schemaname FROM pg_tables")
        where = dict(cursor.fetchall())
    for alias in ALIASES:
        for table in tables_of(alias):
            assert where.get(table) == schema_for(alias), f"{table} is in {where.get(table)}"
    assert "public" not in {where[t] for a in ALIASES for t in tables_of(a)}


def _fails_with_permission_error(alias: str, statement: str) -> str:
    with pytest.raises(DatabaseError) as caught:
        with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
            cursor.execute(statement)
    return str(caught.value)


@pytest.mark.postgres
@pytest.mark.django_db(databases="__all__")
def test_the_ordering_role_cannot_read_billing_tables(contextgate_guard):
    # The store itself must refuse, so the statement goes past the suite's runtime guard.
    with contextgate_guard.allowed():
        error = _fails_with_permission_error("ordering", "SELECT * FROM billing.billing_invoice")
    assert "permission denied for schema billing" in error


@pytest.mark.postgres
@pytest.mark.django_db(databases="__all__")
@pytest.mark.parametrize("reader", ALIASES)
def test_no_role_can_use_another_contexts_schema(reader):
    others = [schema_for(a) for a in ALIASES if a != reader]
    with connections[reader].cursor() as cursor:
        cursor.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)"
            " AND (has_schema_privilege(nspname, 'USAGE') OR has_schema_privilege(nspname, 'CREATE'))",
            [others],
        )
        assert cursor.fetchall() == []
        cursor.execute("SELECT has_schema_privilege(%s, 'CREATE')", [schema_for(reader)])
        assert cursor.fetchone() == (True,)


@pytest.mark.postgres
@pytest.mark.django_db(databases="__all__")
def test_a_context_role_cannot_create_tables_in_public():
    error = _fails_with_permission_error("ordering", "CREATE TABLE public.stray (id int)")
    assert "permission denied for schema public" in error


@pytest.mark.postgres
@pytest.mark.django_db(databases="__all__")
def test_each_store_keeps_its_own_migration_history():
    with connections[DEFAULT_ALIAS].cursor() as cursor:
        cursor.execute("SELECT schemaname FROM pg_tables WHERE tablename = 'django_migrations'")
        schemas = {row[0] for row in cursor.fetchall()}
    assert schemas == {schema_for(alias) for alias in ALIASES}
    for alias in CONTEXTS:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT DISTINCT app FROM django_migrations WHERE app = %s", [alias])
            assert cursor.fetchall() == [(alias,)]
