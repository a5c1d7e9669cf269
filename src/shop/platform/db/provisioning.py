"""Create, idempotently, what PostgreSQL mode needs: the database, a schema and a role per alias.

Each role owns its schema, has its `search_path` set on the role (so it also holds
behind PgBouncer in transaction mode), may connect to the database, and has no
privilege on any other context's schema or on `public`. Run with a superuser URL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import psycopg
from psycopg import sql

from shop.platform.db.config import PostgresTarget

# pg_advisory_lock's key for provisioning (any constant the shop uses for nothing else).
PROVISIONING_LOCK = 0x5E0B_0001


def admin_connect(admin_url: str, dbname: str | None = None) -> psycopg.Connection:
    kwargs = {"dbname": dbname} if dbname else {}
    return psycopg.connect(admin_url, autocommit=True, **kwargs)


def provision(
    admin_url: str,
    targets: Sequence[PostgresTarget],
    *,
    say: Callable[[str], None] = lambda _: None,
) -> None:
    dbnames = sorted({t.dbname for t in targets})
    with admin_connect(admin_url) as conn:
        # One provisioning at a time on this server: the services of a topology provision
        # their own stores as they start, maybe at once and in one database, and two
        # concurrent GRANTs on one object fail ("tuple concurrently updated"). Held until
        # this connection closes, after the last grant.
        conn.execute("SELECT pg_advisory_lock(%s)", [PROVISIONING_LOCK])
        for target in targets:
            _ensure_role(conn, target, say)
        for dbname in dbnames:
            if not conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [dbname]
            ).fetchone():
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
                say(f"created database {dbname}")
        for dbname in dbnames:
            with admin_connect(admin_url, dbname) as db:
                db.execute(
                    sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(dbname))
                )
                # Nobody but the owner may use `public`, so a stray unqualified table can't
                # land there.
                db.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
                for target in (t for t in targets if t.dbname == dbname):
                    _ensure_schema(db, target, say)


def _ensure_role(
    conn: psycopg.Connection, target: PostgresTarget, say: Callable[[str], None]
) -> None:
    role = sql.Identifier(target.role)
    if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [target.role]).fetchone():
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(role)
        )
        say(f"created role {target.role}")
    if target.password:
        conn.execute(
            sql.SQL("ALTER ROLE {} PASSWORD {}").format(role, sql.Literal(target.password))
        )
    conn.execute(
        sql.SQL("ALTER ROLE {} SET search_path = {}").format(role, sql.Identifier(target.schema))
    )


def _ensure_schema(
    conn: psycopg.Connection, target: PostgresTarget, say: Callable[[str], None]
) -> None:
    role, schema = sql.Identifier(target.role), sql.Identifier(target.schema)
    conn.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(target.dbname), role)
    )
    if not conn.execute(
        "SELECT 1 FROM pg_namespace WHERE nspname = %s", [target.schema]
    ).fetchone():
        conn.execute(sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(schema, role))
        say(f"created schema {target.dbname}.{target.schema} owned by {target.role}")
    else:
        conn.execute(sql.SQL("ALTER SCHEMA {} OWNER TO {}").format(schema, role))
    conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM PUBLIC").format(schema))


def drop_database(admin_url: str, dbname: str) -> None:
    with admin_connect(admin_url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
        )
