"""Who may reach what once a store has moved, set and then proved from PostgreSQL's answers.

* The old copy: its schema and every table in it belong to the administrator running the
  move, and no role (PUBLIC, the context's own, any other context's) may use them. Its
  rows stay for an operator to recover from, unless the move was told to drop them.
* The context's role may no longer connect to the database it left.
* The new database: no role but the context's may connect (provisioning revoked PUBLIC's
  rights; any right granted to another context's role by name is revoked too).

`reach` asks `has_database_privilege` and `has_schema_privilege`, which count PUBLIC's
grants, role memberships and superusers: the answers are what a login would meet.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

from shop.platform.db.moving.schema import Schema

SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')"


@dataclass(frozen=True)
class Reach:
    role: str
    what: str
    allowed: bool
    expected: bool = False  # True for the context's role on its own new store


def existing(conn: psycopg.Connection, roles: list[str]) -> list[str]:
    found = {
        r for (r,) in conn.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", [roles])
    }
    return [r for r in dict.fromkeys(roles) if r in found]


def retire(conn: psycopg.Connection, schema: Schema, roles: list[str], *, drop: bool) -> None:
    """Make the old copy unreachable (or gone): run in the source's transaction."""
    name = sql.Identifier(schema.name)
    if drop:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(name))
        return
    conn.execute(sql.SQL("ALTER SCHEMA {} OWNER TO CURRENT_USER").format(name))
    for table in schema.tables:  # with their indexes and the sequences they own
        conn.execute(
            sql.SQL("ALTER TABLE {} OWNER TO CURRENT_USER").format(
                sql.Identifier(schema.name, table.name)
            )
        )
    for seq in schema.sequences:
        if seq.table is None:
            conn.execute(
                sql.SQL("ALTER SEQUENCE {} OWNER TO CURRENT_USER").format(
                    sql.Identifier(schema.name, seq.name)
                )
            )
    grantees = sql.SQL(", ").join(
        [sql.SQL("PUBLIC"), *(sql.Identifier(r) for r in existing(conn, roles))]
    )
    for what in ("ALL TABLES IN SCHEMA", "ALL SEQUENCES IN SCHEMA", "SCHEMA"):
        conn.execute(sql.SQL(f"REVOKE ALL ON {what} {{}} FROM {{}}").format(name, grantees))


def revoke_database(conn: psycopg.Connection, dbname: str, roles: list[str]) -> None:
    """No connecting to `dbname` for `roles` by name (PUBLIC's rights are provisioning's)."""
    for role in existing(conn, roles):
        conn.execute(
            sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(
                sql.Identifier(dbname), sql.Identifier(role)
            )
        )


def reach_database(
    conn: psycopg.Connection, dbname: str, roles: list[str], *, expected: bool = False
) -> list[Reach]:
    return [
        Reach(
            role,
            f"connect to database {dbname}",
            _granted(conn, "database", role, dbname),
            expected,
        )
        for role in existing(conn, roles)
    ]


def reach_schemas(
    conn: psycopg.Connection,
    dbname: str,
    roles: list[str],
    schemas: list[str],
    *,
    label: str = "",
    expected: bool = False,
) -> list[Reach]:
    return [
        Reach(
            role,
            f"use schema {dbname}.{name}{label}",
            _granted(conn, "schema", role, name),
            expected,
        )
        for role in existing(conn, roles)
        for name in schemas
    ]


def schemas_besides(conn: psycopg.Connection, own: str) -> list[str]:
    """Every schema of this database but `own` and PostgreSQL's."""
    rows = conn.execute(
        f"SELECT nspname FROM pg_namespace WHERE nspname NOT IN {SYSTEM_SCHEMAS}"  # noqa: S608
        " AND nspname !~ '^pg_(toast_)?temp' AND nspname <> %s ORDER BY nspname",
        [own],
    )
    return [name for (name,) in rows]


def _granted(conn: psycopg.Connection, kind: str, role: str, name: str) -> bool:
    privilege = "CONNECT" if kind == "database" else "USAGE"
    query = f"SELECT has_{kind}_privilege(%s, %s, %s)"  # noqa: S608 - kind is ours
    return bool(conn.execute(query, [role, name, privilege]).fetchone()[0])
