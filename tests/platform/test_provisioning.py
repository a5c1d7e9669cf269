"""`manage.py provision_postgres` creates schemas, roles and grants, and is safe to run again."""

from __future__ import annotations

import os
import uuid
from io import StringIO

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from psycopg import sql
from tests.contexts import all_but, hosts

from shop.platform.db.config import DEFAULT_ALIAS, schema_for
from shop.platform.db.provisioning import admin_connect, drop_database

ADMIN_URL = os.environ.get("SHOP_DATABASE_ADMIN_URL", "")


@pytest.fixture
def scratch(monkeypatch):
    """A database name and role prefix nobody else uses; dropped afterwards."""
    tag = uuid.uuid4().hex[:8]
    dbname, prefix = f"shop_provision_{tag}", f"prov_{tag}"
    monkeypatch.setenv("SHOP_DATABASE_URL", f"postgresql://127.0.0.1:5432/{dbname}")
    monkeypatch.setenv("SHOP_DB_ROLE_PREFIX", prefix)
    yield dbname, prefix
    drop_database(ADMIN_URL, dbname)
    with admin_connect(ADMIN_URL) as conn:
        for alias in [DEFAULT_ALIAS, *settings.SHOP_CONTEXTS]:
            role = sql.Identifier(f"{prefix}_{schema_for(alias)}")
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(role))


def test_provisioning_refuses_without_a_postgres_url(monkeypatch):
    monkeypatch.delenv("SHOP_DATABASE_URL", raising=False)
    with pytest.raises(CommandError, match="SHOP_DATABASE_URL"):
        call_command("provision_postgres", admin_url="postgresql://postgres@127.0.0.1/postgres")


@pytest.mark.postgres
def test_provisioning_twice_gives_each_context_a_schema_and_role_of_its_own(scratch):
    dbname, prefix = scratch
    call_command("provision_postgres", admin_url=ADMIN_URL, stdout=StringIO())
    call_command("provision_postgres", admin_url=ADMIN_URL, stdout=StringIO())

    with admin_connect(ADMIN_URL, dbname) as conn:
        for alias in [DEFAULT_ALIAS, *settings.SHOP_CONTEXTS]:
            schema, role = schema_for(alias), f"{prefix}_{schema_for(alias)}"
            owner = conn.execute(
                "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = %s", [schema]
            ).fetchone()
            assert owner == (role,)
            config = conn.execute(
                "SELECT rolconfig, rolsuper, rolcreatedb FROM pg_roles WHERE rolname = %s", [role]
            ).fetchone()
            assert config == ([f"search_path={schema}"], False, False)


@pytest.mark.postgres
def test_a_provisioned_role_sees_only_its_own_schema(scratch):
    dbname, prefix = scratch
    call_command("provision_postgres", admin_url=ADMIN_URL, stdout=StringIO())
    with psycopg.connect(host="127.0.0.1", dbname=dbname, user=f"{prefix}_billing") as conn:
        conn.execute("CREATE TABLE invoice_probe (id int)")
        assert conn.execute("SELECT to_regclass('billing.invoice_probe')::text").fetchone() == (
            "invoice_probe",
        )
    with psycopg.connect(host="127.0.0.1", dbname=dbname, user=f"{prefix}_ordering") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM billing.invoice_probe")


@pytest.mark.postgres
def test_each_service_of_a_split_provisions_only_what_it_hosts_where_its_store_lives(
    scratch, tmp_path
):
    from django.test import override_settings

    from shop.platform.topology import load

    dbname, prefix = scratch
    own = f"{dbname}_billing"
    split = tmp_path / "split.toml"
    split.write_text(
        f"[services.shop]\n{hosts(all_but('billing'))}\n"
        'url = "http://127.0.0.1:1"\n'
        '[services.billing]\nhosts = ["billing"]\nurl = "http://127.0.0.1:2"\n'
        f'[stores]\nbilling = "postgresql://127.0.0.1:5432/{own}"\n'
    )

    def schemas(database: str) -> set[str]:
        with admin_connect(ADMIN_URL, database) as conn:
            rows = conn.execute("SELECT nspname FROM pg_namespace WHERE nspowner <> 10").fetchall()
        return {name for (name,) in rows} - {"public"}

    try:
        for service in ("billing", "shop"):
            here = load(str(split), service, settings.SHOP_CONTEXTS)
            with override_settings(SHOP_TOPOLOGY=here):
                out = StringIO()
                call_command("provision_postgres", admin_url=ADMIN_URL, stdout=out)
            if service == "billing":
                # Billing's own database holds billing's schema; the shared one is untouched.
                assert f"billing: schema {own}.billing, role {prefix}_billing" in out.getvalue()
                assert "identity" not in out.getvalue()
                assert schemas(own) == {"billing"}
        assert schemas(dbname) == set(all_but("billing"))
        assert schemas(own) == {"billing"}
        # Billing's role may not even connect to the database of the shop's contexts.
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            psycopg.connect(host="127.0.0.1", dbname=dbname, user=f"{prefix}_billing").close()
    finally:
        drop_database(ADMIN_URL, own)


@pytest.mark.postgres
def test_two_services_provisioning_at_once_take_turns(scratch, eventually):
    import threading

    from shop.platform.db.provisioning import PROVISIONING_LOCK

    dbname, _ = scratch
    done = []
    with admin_connect(ADMIN_URL) as holder:  # another service, provisioning right now
        holder.execute("SELECT pg_advisory_lock(%s)", [PROVISIONING_LOCK])
        thread = threading.Thread(
            target=lambda: done.append(
                call_command("provision_postgres", admin_url=ADMIN_URL, stdout=StringIO())
            )
        )
        thread.start()

        def waiting_for_its_turn():
            waiting = holder.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND objid = %s",
                [PROVISIONING_LOCK],
            ).fetchone()
            assert waiting == (1,)

        eventually(waiting_for_its_turn, timeout=30)
        assert not done
        with admin_connect(ADMIN_URL) as probe:
            assert not probe.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [dbname]
            ).fetchone()
    thread.join(60)  # the holder's session ended: its lock is released
    assert done == [None]
