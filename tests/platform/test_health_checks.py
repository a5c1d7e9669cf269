"""A persistent PostgreSQL connection the server dropped is replaced before a request uses it,
and a healthy one is checked without a round trip (shop.platform.db.postgresql)."""

from __future__ import annotations

import os
import select
import time

import pytest
from django.db import close_old_connections, connections
from django.db.backends.postgresql import base as django_postgresql

from shop.platform.db.provisioning import admin_connect

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, databases="__all__")]


def _terminate(connection) -> None:
    """End the server side of `connection`, as a restart does, and wait for its goodbye."""
    pid = connection.connection.info.backend_pid
    with admin_connect(os.environ["SHOP_DATABASE_ADMIN_URL"]) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while not select.select([connection.connection.pgconn.socket], [], [], 0.1)[0]:
        assert time.monotonic() < deadline, "the server never hung up"


@pytest.fixture
def server_asked(monkeypatch) -> list[str]:
    """The aliases whose health check asked the server (Django's SELECT 1)."""
    asked = []
    original = django_postgresql.DatabaseWrapper.is_usable

    def select_one(self):
        asked.append(self.alias)
        return original(self)

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", select_one)
    return asked


def _in_a_request(alias: str) -> int:
    """What a request does with a store: Django's housekeeping first, then a query."""
    close_old_connections()  # request_started: marks each connection for a health check
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_connection_the_server_terminated_is_replaced_and_the_request_succeeds(server_asked):
    connection = connections["catalog"]
    first = _in_a_request("catalog")
    _terminate(connection)
    second = _in_a_request("catalog")  # would raise OperationalError with no health check
    assert second != first
    assert server_asked == ["catalog"]  # the socket was readable, so the server was asked


def test_a_healthy_idle_connection_is_checked_without_a_round_trip(server_asked):
    first = _in_a_request("ordering")
    assert _in_a_request("ordering") == first  # the same connection, kept
    assert server_asked == []
