"""`manage.py move_store`: a context's store copied into its own database, proven, and closed
behind it; or refused, with one line and nothing changed.

Billing's store is filled through its own handlers (tests/platform/scratch_stores.py);
what is compared is read back by these tests as the administrator, not taken from the
command's own report.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from psycopg import sql
from tests.contexts import all_but, hosts
from tests.platform.scratch_stores import (
    ADMIN_URL,
    BILLING,
    billing_at,
    deliver,
    scratch_store,
    state,
    stock_reserved,
)

from shop.platform.db.config import postgres_targets, store_env
from shop.platform.db.moving import rows as moving_rows
from shop.platform.events import bus
from shop.platform.topology import load

ROOT = Path(__file__).resolve().parents[2]
SPLIT = (ROOT / "topology" / "split.toml").read_text()
MONOLITH = f"# the monolith\n[services.shop]\n{hosts(all_but())}\n"


def move(*args: str) -> str:
    out = StringIO()
    call_command("move_store", *args, admin_url=ADMIN_URL, stdout=out)
    return out.getvalue()


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        move(*args)
    message = str(caught.value)
    assert "\n" not in message
    return message


def contents(scratch, dbname: str) -> dict[str, list[str]]:
    """Every row of every table in billing's schema, as text, sorted."""
    with scratch.admin(dbname) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY 1", [BILLING]
            )
        ]
        return {
            table: [
                text
                for (text,) in conn.execute(
                    sql.SQL("SELECT t::text FROM {} t ORDER BY 1").format(
                        sql.Identifier(BILLING, table)
                    )
                )
            ]
            for table in tables
        }


def can_connect(scratch, role: str, dbname: str) -> bool:
    try:
        psycopg.connect(host="127.0.0.1", dbname=dbname, user=role).close()
    except psycopg.OperationalError as exc:
        assert "permission denied" in str(exc)
        return False
    return True


@pytest.fixture(scope="module")
def moved(django_db_blocker, tmp_path_factory):
    """A filled store, moved once (writing both topologies' [stores]), and what the
    databases held before and right after."""
    files = tmp_path_factory.mktemp("topologies")
    monolith, split = files / "monolith.toml", files / "split.toml"
    monolith.write_text(MONOLITH)
    split.write_text(SPLIT)
    with (
        pytest.MonkeyPatch.context() as patch,
        django_db_blocker.unblock(),
        scratch_store(patch) as scratch,
    ):
        target = scratch.database("billing")
        before = contents(scratch, scratch.source_db)
        out = move(
            BILLING, "--to", scratch.url(target), "--write", str(monolith), "--write", str(split)
        )
        yield {
            "scratch": scratch,
            "target": target,
            "out": out,
            "before": before,
            "after": contents(scratch, target),
            "old": contents(scratch, scratch.source_db),
            "files": (monolith, split),
        }


@pytest.fixture(scope="module")
def quiet(django_db_blocker):
    """A filled store nobody is working on, for the refusals (which must leave it as is)."""
    with (
        pytest.MonkeyPatch.context() as patch,
        django_db_blocker.unblock(),
        scratch_store(patch) as scratch,
    ):
        yield scratch


@pytest.fixture
def unblocked(django_db_blocker):
    with django_db_blocker.unblock():
        yield


@pytest.mark.postgres
def test_every_table_is_copied_row_for_row_and_the_report_shows_matching_checksums(moved):
    before, after = moved["before"], moved["after"]
    assert set(before) == {
        "billing_invoice",
        "billing_payment",
        "billing_outbox",
        "billing_inbox",
        "billing_event_sequence",
        "django_migrations",
    }
    assert all(before[t] for t in before), "every table of the filled store holds rows"
    assert after == before
    for table, table_rows in before.items():
        line = rf"^{table}\s+{len(table_rows)}\s+{len(table_rows)}\s+([0-9a-f]{{32}})\s+\1\s+ok$"
        assert re.search(line, moved["out"], re.MULTILINE), f"no matching line for {table}"
    assert re.search(r"^billing_inbox_id_seq\s+(\d+)\s+\1\s+ok$", moved["out"], re.MULTILINE)


@pytest.mark.postgres
def test_the_old_copy_keeps_its_rows_but_no_role_of_the_shop_can_reach_it(moved):
    scratch = moved["scratch"]
    assert moved["old"] == moved["before"]  # kept for an operator, not dropped
    with scratch.admin() as conn:
        owners = conn.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class"
            " WHERE relnamespace = %s::regnamespace",
            [BILLING],
        ).fetchall()
        admin = conn.execute("SELECT current_user").fetchone()
        assert owners == [admin]
        for role in scratch.roles:
            assert conn.execute(
                "SELECT has_schema_privilege(%s, %s, 'USAGE')", [role, BILLING]
            ).fetchone() == (False,), role
    # Billing's role may not even connect to the shared database any more...
    assert not can_connect(scratch, scratch.role(BILLING), scratch.source_db)
    # ...and the shop's other roles, which still may, find no billing schema to read.
    with psycopg.connect(
        host="127.0.0.1", dbname=scratch.source_db, user=scratch.role("ordering")
    ) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT count(*) FROM billing.billing_invoice")


@pytest.mark.postgres
def test_only_billings_role_reaches_the_new_database_and_it_reaches_nothing_else(moved):
    scratch, target = moved["scratch"], moved["target"]
    for role in scratch.roles:
        if role != scratch.role(BILLING):
            assert not can_connect(scratch, role, target), role
    with psycopg.connect(host="127.0.0.1", dbname=target, user=scratch.role(BILLING)) as conn:
        # Its search_path finds its own tables, unqualified, as Django's queries name them.
        assert conn.execute("SELECT count(*) FROM billing_invoice").fetchone() == (5,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("CREATE TABLE public.probe (id int)")
    assert "WRONG" not in moved["out"]


@pytest.mark.postgres
def test_both_topologies_name_the_new_store_so_a_rollback_serves_the_same_rows(moved):
    scratch, target = moved["scratch"], moved["target"]
    url = scratch.url(target)
    assert f'[stores]\nbilling = "{url}"' in moved["out"]
    monolith, split = moved["files"]
    assert monolith.read_text().startswith("# the monolith\n")  # the rest of the file stays
    stores = []
    for path, service in ((monolith, "shop"), (split, "billing")):
        here = load(str(path), service, settings.SHOP_CONTEXTS)
        assert here.problems == ()
        env = store_env(here.stores, {"SHOP_DB_ROLE_PREFIX": scratch.prefix})
        targets = postgres_targets(settings.SHOP_CONTEXTS, scratch.url(scratch.source_db), env)
        stores.append(next(t for t in targets if t.alias == BILLING))
    assert stores[0] == stores[1]
    assert (stores[0].dbname, stores[0].role) == (target, scratch.role(BILLING))


@pytest.mark.postgres
def test_django_on_the_new_store_has_nothing_to_migrate_and_continues_every_sequence(
    moved, unblocked
):
    store = bus.store_of(BILLING)
    with billing_at(moved["target"], moved["scratch"]):
        out = StringIO()
        call_command("migrate", database=BILLING, interactive=False, stdout=out)
        assert "No migrations to apply" in out.getvalue()
        inbox = store.inbox.objects.using(BILLING)
        copied_inbox_ids = set(inbox.values_list("id", flat=True))
        # order-3 and order-4 were invoiced (InvoiceIssued, sequence 1); order-3's outbox
        # rows were purged: only billing_event_sequence remembers its number.
        deliver(stock_reserved("order-3"))
        deliver(stock_reserved("order-4"))
        captured = dict(
            store.outbox.objects.using(BILLING)
            .filter(event_type="billing.PaymentCaptured", subject__in=["order-3", "order-4"])
            .values_list("subject", "sequence")
        )
        assert captured == {"order-3": 2, "order-4": 2}
        new_ids = set(inbox.values_list("id", flat=True)) - copied_inbox_ids
        assert len(new_ids) == 2 and min(new_ids) > max(copied_inbox_ids)


@pytest.fixture
def store(monkeypatch, unblocked):
    with scratch_store(monkeypatch) as scratch:
        yield scratch


def corrupting_the_invoices(monkeypatch) -> None:
    """The copy of billing_invoice changes one value: the same row count, other rows."""
    real = moving_rows.copy_rows

    def copy_then_corrupt(source, into, schema, table):
        real(source, into, schema, table)
        if table.name == "billing_invoice":
            into.execute(
                "UPDATE billing.billing_invoice SET status = 'void' WHERE order_id = 'order-1'"
            )

    monkeypatch.setattr(moving_rows, "copy_rows", copy_then_corrupt)


@pytest.mark.postgres
def test_a_copy_whose_rows_differ_is_not_committed_and_the_move_can_run_again(store, monkeypatch):
    target = store.database("billing")
    before, rows_before = state(store), contents(store, store.source_db)
    with monkeypatch.context() as patch:
        corrupting_the_invoices(patch)
        out = StringIO()
        with pytest.raises(CommandError, match=r"did not verify.*table billing_invoice") as caught:
            call_command(
                "move_store", BILLING, "--to", store.url(target), admin_url=ADMIN_URL, stdout=out
            )
    assert "\n" not in str(caught.value)
    assert re.search(
        r"^billing_invoice\s+5\s+5\s+\w{32}\s+\w{32}\s+MISMATCH$", out.getvalue(), re.M
    )
    assert state(store) == before
    with store.admin(target) as conn:  # provisioned, and empty
        assert conn.execute(
            "SELECT count(*) FROM pg_class WHERE relnamespace = %s::regnamespace", [BILLING]
        ).fetchone() == (0,)

    # Run again, dropping the old schema this time once the copy is verified.
    out = move(BILLING, "--to", store.url(target), "--drop-old")
    assert "the old copy" in out and "is dropped" in out
    assert contents(store, target) == rows_before
    with store.admin() as conn:
        assert conn.execute("SELECT to_regnamespace('billing')").fetchone() == (None,)


def _set(scratch, statement: str) -> None:
    with scratch.admin() as conn:
        conn.execute(statement)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("change", "undo", "reason"),
    [
        pytest.param(
            "UPDATE billing.billing_outbox SET dispatched_at = NULL"
            " WHERE id = (SELECT id FROM billing.billing_outbox LIMIT 1)",
            "UPDATE billing.billing_outbox SET dispatched_at = now() - interval '1 hour'",
            "billing's outbox holds 1 undispatched event: let the relay hand it on first",
            id="undispatched-outbox",
        ),
        pytest.param(
            "UPDATE billing.billing_inbox SET received_at = now()"
            " WHERE id = (SELECT min(id) FROM billing.billing_inbox)",
            "UPDATE billing.billing_inbox SET received_at = now() - interval '1 hour'",
            "the consumers were at work",
            id="consumers-at-work",
        ),
    ],
)
def test_a_store_still_in_use_is_refused_and_nothing_changes(quiet, change, undo, reason):
    target = quiet.database("busy")
    _set(quiet, change)
    try:
        before = state(quiet, target)
        assert reason in refused(BILLING, "--to", quiet.url(target))
        assert state(quiet, target) == before
    finally:
        _set(quiet, undo)
    assert [name for name, _ in before["databases"]] == [quiet.source_db]  # no target yet


@pytest.mark.postgres
def test_a_transaction_writing_the_store_makes_the_move_give_up_and_change_nothing(quiet):
    target = quiet.database("locked")
    before = state(quiet, target)
    with quiet.admin() as writer, writer.transaction():
        writer.execute(
            "UPDATE billing.billing_invoice SET status = status WHERE order_id = 'order-1'"
        )
        message = refused(BILLING, "--to", quiet.url(target), "--lock-timeout", "0.2")
    assert "billing.billing_invoice is being written" in message
    assert state(quiet, target) == before


@pytest.mark.postgres
def test_a_target_that_holds_billings_tables_already_is_refused_and_left_alone(quiet):
    target = quiet.database("full")
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target)))
    with quiet.admin(target) as conn:
        conn.execute("CREATE SCHEMA billing")
        conn.execute("CREATE TABLE billing.billing_invoice (id int)")
        conn.execute("INSERT INTO billing.billing_invoice VALUES (1), (2)")
    before = state(quiet, target)
    message = refused(BILLING, "--to", quiet.url(target))
    assert f"the target {target} already holds schema billing" in message
    assert "2 rows (billing_invoice 2)" in message
    assert state(quiet, target) == before


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["billing", "--to", "mysql://127.0.0.1/{target}"], "is not a PostgreSQL URL"),
        (["billing", "--to", "postgresql://127.0.0.1:5432"], "names no database"),
        (["billing", "--to", "postgresql://127.0.0.1:port/{target}"], "Port could not be cast"),
        (
            ["billing", "--to", "postgresql://u:secret@127.0.0.1/{target}"],
            "keep the password out of the URL",
        ),
        (
            ["shiping", "--to", "postgresql://127.0.0.1/{target}"],
            f"unknown context 'shiping': the contexts are {', '.join(settings.SHOP_CONTEXTS)}",
        ),
        (["billing", "--to", "{source}"], "names the database billing's store is in already"),
        (
            [
                "billing",
                "--to",
                "postgresql://127.0.0.1:1/{target}",
                "--target-admin-url",
                "postgresql://postgres@127.0.0.1:1/postgres",
            ],
            "cannot connect to the target's server",
        ),
    ],
)
def test_a_wrong_request_is_refused_in_one_line_and_nothing_changes(quiet, args, reason):
    target = quiet.database("wrong")
    args = [a.format(target=target, source=quiet.url(quiet.source_db)) for a in args]
    before = state(quiet, target)
    message = refused(*args)
    assert message.startswith(f"{args[0]}'s store was not moved (nothing changed): ")
    assert reason in message
    assert state(quiet, target) == before


def test_without_postgresql_the_command_refuses_in_one_line_with_exit_status_1():
    env = {k: v for k, v in os.environ.items() if k != "SHOP_DATABASE_URL"}
    done = subprocess.run(
        [sys.executable, "manage.py", "move_store", "billing", "--to", "postgresql://127.0.0.1/x"],
        cwd=ROOT,
        env={**env, "SHOP_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "CommandError: billing's store was not moved (nothing changed): SHOP_DATABASE_URL is "
        "not set: the shop is using its SQLite stores, and move_store moves PostgreSQL stores only"
    ]
