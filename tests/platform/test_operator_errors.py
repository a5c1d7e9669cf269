"""`manage.py` on an operator's mistake: one line on stderr and exit status 1, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.utils import DatabaseError, OperationalError

from shop.platform.management.operator_errors import explain, run

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("SHOP_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_command_on_a_fresh_data_dir_says_in_one_line_to_migrate(tmp_path):
    finished = manage("events", "status", SHOP_DEBUG="1", SHOP_DATA_DIR=str(tmp_path))

    assert finished.returncode == 1
    lines = finished.stderr.splitlines()
    assert len(lines) == 1, finished.stderr
    assert lines[0].startswith("shop: the catalog store (")
    assert "no table catalog_outbox" in lines[0]
    assert "manage.py migrate_all" in lines[0]


def test_a_command_without_a_secret_key_in_production_says_so_in_one_line(tmp_path):
    finished = manage("check", SHOP_DEBUG="0", SHOP_DATA_DIR=str(tmp_path))

    assert finished.returncode == 1
    assert finished.stderr.splitlines() == [
        "shop: SHOP_SECRET_KEY is not set: set it to a long random value "
        "(or SHOP_DEBUG=1 for a development key)"
    ]


@pytest.mark.django_db(databases=["catalog"])
def test_a_missing_table_is_explained_on_this_backend():
    # The real error of this run's backend: SQLite's "no such table" or PostgreSQL's 42P01.
    with pytest.raises(DatabaseError) as raised:
        with connections["catalog"].cursor() as cursor:
            cursor.execute("SELECT 1 FROM catalog_never_migrated")

    message = explain(raised.value)

    assert message is not None
    assert "no table catalog_never_migrated" in message
    assert "migrate_all" in message


def test_the_line_names_the_store_that_owns_the_table():
    message = explain(OperationalError("no such table: billing_inbox"))

    assert message.startswith("the billing store (")


def test_a_role_never_provisioned_says_to_provision():
    error = OperationalError(
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: '
        'FATAL:  role "shop_catalog" does not exist'
    )

    assert explain(error) == (
        "PostgreSQL has no role shop_catalog: it is not provisioned; run `python manage.py "
        "provision_postgres`, then `migrate_all` (or `make migrate`)"
    )


def test_other_errors_keep_their_traceback():
    assert explain(OperationalError("database is locked")) is None
    assert explain(KeyError("x")) is None

    def failing(argv):
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        run(failing, ["manage.py", "events", "status"])


def test_traceback_shows_the_trace_of_an_operator_error_too(capsys):
    def misconfigured(argv):
        raise ImproperlyConfigured("SHOP_DEBUG must be one of ...")

    with pytest.raises(ImproperlyConfigured):
        run(misconfigured, ["manage.py", "check", "--traceback"])
    with pytest.raises(SystemExit) as exited:
        run(misconfigured, ["manage.py", "check"])

    assert exited.value.code == 1
    assert capsys.readouterr().err == "shop: SHOP_DEBUG must be one of ...\n"
