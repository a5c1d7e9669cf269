"""The runtime guard stops any alias from querying another context's tables.

contextgate's pytest plugin installs the guard for the whole run (`contextgate_guard = true`
in pyproject.toml); these tests use that same guard (the `contextgate_guard` fixture), so a
canary that passes here proves every other test runs under it, with the shop's own models
and router. The guard takes what it recorded, so the canary itself does not fail at
teardown. Its reading of SQL is tested in packages/contextgate/tests/test_guard.py.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connections

from contextgate.guard import CrossContextQuery
from shop.catalog import api as catalog
from shop.inventory import api as inventory
from shop.ordering.api import order_summary
from shop.ordering.application.place_order import PlaceOrder, place_order


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
    contextgate_guard, sql
):
    with pytest.raises(CrossContextQuery, match="billing_invoice"):
        with connections["ordering"].cursor() as cursor:
            cursor.execute(sql)

    (access, *_) = contextgate_guard.take()
    assert (access.alias, access.owner) == ("ordering", "billing")
    assert access.sql == sql
    # Never sent: on PostgreSQL a refused statement would have aborted the transaction.
    with connections["ordering"].cursor() as cursor:
        cursor.execute('SELECT COUNT(*) FROM "ordering_order"')
        assert cursor.fetchone() == (0,)


@pytest.mark.django_db(databases="__all__")
def test_naming_another_contexts_schema_is_stopped(contextgate_guard):
    with pytest.raises(CrossContextQuery, match="schema billing"):
        with connections["ordering"].cursor() as cursor:
            cursor.execute("SELECT 1 FROM billing.anything")

    assert [a.table for a in contextgate_guard.take()] == ["schema billing"]


@pytest.mark.django_db(databases="__all__", transaction=True)
def test_a_query_from_another_thread_is_caught_too(contextgate_guard):
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
    assert [(a.alias, a.table) for a in contextgate_guard.take()] == [
        ("inventory", "ordering_order")
    ]


@pytest.mark.django_db(databases="__all__")
def test_cross_context_api_calls_pass_the_guard(contextgate_guard):
    catalog.add_product(
        sku="MUG-1", name="Mug", description="A mug.", price=Decimal("4.50"), currency="EUR"
    )
    level = inventory.count_stock(sku="MUG-1", on_hand=3)  # inventory asks catalog
    order = place_order(  # ordering asks catalog for prices
        PlaceOrder(customer_id=7, lines=[("MUG-1", 2)], payment_token="tok_visa")
    )

    assert level.available == 3
    assert order_summary(str(order.id)).status == "pending"
    assert contextgate_guard.take() == []
