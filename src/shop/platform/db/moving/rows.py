"""A schema's rows and sequence values: copied from one database to the other, and summed up.

A table's checksum is computed by each database on its own rows, by the same query: the
md5 of every row's text, those md5s sorted (byte order, whatever the databases'
collations) and hashed together. Both sides run with the same output settings (SESSION),
so equal rows print equally.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql

from shop.platform.db.moving.schema import Schema, Table

# How every connection of a move prints and reads values, whatever the server's defaults.
SESSION = {
    "search_path": "pg_catalog",
    "TimeZone": "UTC",
    "DateStyle": "ISO, YMD",
    "IntervalStyle": "postgres",
    "extra_float_digits": "3",
    "bytea_output": "hex",
}


@dataclass(frozen=True)
class Checksum:
    rows: int
    md5: str


def configure(conn: psycopg.Connection) -> None:
    for name, value in SESSION.items():
        conn.execute("SELECT set_config(%s, %s, false)", [name, value])


def copy_rows(source: psycopg.Connection, target: psycopg.Connection, schema: str, table: Table):
    columns = sql.SQL(", ").join(sql.Identifier(c.name) for c in table.copied_columns)
    name = sql.Identifier(schema, table.name)
    with (
        source.cursor().copy(sql.SQL("COPY {} ({}) TO STDOUT").format(name, columns)) as out,
        target.cursor().copy(sql.SQL("COPY {} ({}) FROM STDIN").format(name, columns)) as into,
    ):
        for block in out:
            into.write(block)


def checksum(conn: psycopg.Connection, schema: str, table: str) -> Checksum:
    rows, md5 = conn.execute(
        sql.SQL(
            "SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h COLLATE \"C\"), '')) "
            "FROM (SELECT md5(t::text) AS h FROM {} t) AS hashed"
        ).format(sql.Identifier(schema, table))
    ).fetchone()
    return Checksum(rows, md5)


def checksums(conn: psycopg.Connection, schema: Schema) -> dict[str, Checksum]:
    return {t.name: checksum(conn, schema.name, t.name) for t in schema.tables}


def sequence_values(conn: psycopg.Connection, schema: Schema) -> dict[str, tuple[int, bool]]:
    """Each sequence's (last_value, is_called): where its next value comes from."""
    return {
        seq.name: conn.execute(
            sql.SQL("SELECT last_value, is_called FROM {}").format(
                sql.Identifier(schema.name, seq.name)
            )
        ).fetchone()
        for seq in schema.sequences
    }


def set_sequences(
    conn: psycopg.Connection, schema: str, values: dict[str, tuple[int, bool]]
) -> None:
    for name, (last_value, is_called) in values.items():
        conn.execute(
            "SELECT setval(%s::regclass, %s, %s)",
            [sql.Identifier(schema, name).as_string(conn), last_value, is_called],
        )
