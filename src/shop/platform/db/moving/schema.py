"""A context's schema as PostgreSQL's catalog describes it, and the DDL that recreates it.

The description is read with PostgreSQL's own deparsing functions (`format_type`,
`pg_get_expr`, `pg_get_constraintdef`, `pg_get_indexdef`: what `pg_dump` uses), so the
DDL is the source's, not a re-run of the migrations. Read again from the copy's catalog, it
must come out equal: that is how a copy proves it is faithful. What a Django-migrated schema
holds is covered (tables, columns with their defaults, identity and generated columns,
sequences, constraints, indexes, comments); anything else makes `unsupported` name it, and
the move refuses rather than leave it behind.

Every connection reading or writing DDL runs with `search_path = pg_catalog`, so the
deparsed names are schema-qualified and mean the same in both databases.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    not_null: bool
    default: str | None
    identity: str  # "" none, "a" always, "d" by default
    generated: str  # "" none, "s" stored
    collation: str | None  # only when it differs from the type's
    comment: str | None


@dataclass(frozen=True)
class Sequence:
    name: str
    type: str
    start: int
    increment: int
    minimum: int
    maximum: int
    cache: int
    cycle: bool
    # The column it belongs to: as an identity column's sequence, or a serial's (OWNED BY).
    table: str | None
    column: str | None
    identity: bool


@dataclass(frozen=True)
class Table:
    name: str
    unlogged: bool
    options: tuple[str, ...]
    columns: tuple[Column, ...]
    comment: str | None

    @property
    def copied_columns(self) -> tuple[Column, ...]:
        """The columns COPY moves: a generated column is computed again, never written."""
        return tuple(c for c in self.columns if not c.generated)


@dataclass(frozen=True)
class Constraint:
    table: str
    name: str
    kind: str  # p, u, c, f, x
    definition: str


@dataclass(frozen=True)
class Index:
    table: str
    name: str
    definition: str


@dataclass(frozen=True)
class Schema:
    name: str
    tables: tuple[Table, ...]
    sequences: tuple[Sequence, ...]
    constraints: tuple[Constraint, ...]
    indexes: tuple[Index, ...]

    def differences(self, other: Schema) -> list[str]:
        """What `other` (a copy) lacks or has in addition, one line per object."""
        lines = []
        for kind in ("tables", "sequences", "constraints", "indexes"):
            mine, theirs = set(getattr(self, kind)), set(getattr(other, kind))
            lines += [f"{kind}: missing {item}" for item in sorted(mine - theirs, key=repr)]
            lines += [f"{kind}: extra {item}" for item in sorted(theirs - mine, key=repr)]
        return lines


def describe(conn: psycopg.Connection, schema: str) -> Schema:
    return Schema(
        name=schema,
        tables=tuple(_table(conn, schema, row) for row in _rows(conn, _TABLES, schema)),
        sequences=tuple(Sequence(*row) for row in _rows(conn, _SEQUENCES, schema)),
        constraints=tuple(Constraint(*row) for row in _rows(conn, _CONSTRAINTS, schema)),
        indexes=tuple(Index(*row) for row in _rows(conn, _INDEXES, schema)),
    )


def unsupported(conn: psycopg.Connection, schema: str) -> list[str]:
    """What the schema holds that a copy would leave behind or get wrong, e.g. 'a view x'."""
    return [f"{what} {schema}.{name}" for what, name in _rows(conn, _UNSUPPORTED, schema)]


def create(conn: psycopg.Connection, schema: Schema) -> None:
    """Before the rows: the sequences of serial and plain use, then the tables."""
    for seq in schema.sequences:
        if not seq.identity:
            conn.execute(
                sql.SQL("CREATE SEQUENCE {} AS {} {}").format(
                    _name(schema.name, seq.name), sql.SQL(seq.type), _sequence_options(seq)
                )
            )
    identities = {(s.table, s.column): s for s in schema.sequences if s.identity}
    for table in schema.tables:
        columns = sql.SQL(", ").join(
            _column(schema.name, c, identities.get((table.name, c.name))) for c in table.columns
        )
        conn.execute(
            sql.SQL("CREATE {}TABLE {} ({}){}").format(
                sql.SQL("UNLOGGED " if table.unlogged else ""),
                _name(schema.name, table.name),
                columns,
                sql.SQL(f" WITH ({', '.join(table.options)})" if table.options else ""),
            )
        )


def finish(conn: psycopg.Connection, schema: Schema) -> None:
    """After the rows (as pg_dump orders it): constraints, foreign keys last, then indexes,
    the serials' OWNED BY and the comments."""
    for con in sorted(schema.constraints, key=lambda c: (c.kind == "f", c.table, c.name)):
        conn.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                _name(schema.name, con.table), sql.Identifier(con.name), sql.SQL(con.definition)
            )
        )
    for index in schema.indexes:
        conn.execute(sql.SQL(index.definition))
    for seq in schema.sequences:
        if seq.table and not seq.identity:
            conn.execute(
                sql.SQL("ALTER SEQUENCE {} OWNED BY {}.{}").format(
                    _name(schema.name, seq.name),
                    _name(schema.name, seq.table),
                    sql.Identifier(seq.column),
                )
            )
    for table in schema.tables:
        target = _name(schema.name, table.name)
        if table.comment is not None:
            conn.execute(
                sql.SQL("COMMENT ON TABLE {} IS {}").format(target, sql.Literal(table.comment))
            )
        for column in table.columns:
            if column.comment is not None:
                conn.execute(
                    sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                        target, sql.Identifier(column.name), sql.Literal(column.comment)
                    )
                )


def _column(schema: str, column: Column, identity: Sequence | None) -> sql.Composable:
    parts = [sql.Identifier(column.name), sql.SQL(column.type)]
    if column.collation:
        parts.append(sql.SQL(f"COLLATE {column.collation}"))
    if column.identity:
        assert identity is not None, f"identity column {column.name} without its sequence"
        parts.append(
            sql.SQL("GENERATED {} AS IDENTITY (SEQUENCE NAME {} {})").format(
                sql.SQL("ALWAYS" if column.identity == "a" else "BY DEFAULT"),
                _name(schema, identity.name),
                _sequence_options(identity),
            )
        )
    elif column.generated:
        parts.append(sql.SQL(f"GENERATED ALWAYS AS ({column.default}) STORED"))
    elif column.default is not None:
        parts.append(sql.SQL(f"DEFAULT {column.default}"))
    if column.not_null:
        parts.append(sql.SQL("NOT NULL"))
    return sql.SQL(" ").join(parts)


def _sequence_options(seq: Sequence) -> sql.Composable:
    return sql.SQL(
        f"START WITH {seq.start} INCREMENT BY {seq.increment} MINVALUE {seq.minimum} "
        f"MAXVALUE {seq.maximum} CACHE {seq.cache} {'CYCLE' if seq.cycle else 'NO CYCLE'}"
    )


def _name(schema: str, name: str) -> sql.Composable:
    return sql.Identifier(schema, name)


def _table(conn: psycopg.Connection, schema: str, row: tuple) -> Table:
    oid, name, unlogged, options, comment = row
    columns = tuple(Column(*c) for c in conn.execute(_COLUMNS, [oid]).fetchall())
    return Table(name, unlogged, tuple(options or ()), columns, comment)


def _rows(conn: psycopg.Connection, query: str, schema: str) -> list[tuple]:
    return conn.execute(query, {"schema": schema}).fetchall()


_IN_SCHEMA = "relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)"

_TABLES = f"""
SELECT c.oid, c.relname, c.relpersistence = 'u', c.reloptions, obj_description(c.oid, 'pg_class')
FROM pg_class c WHERE c.{_IN_SCHEMA} AND c.relkind = 'r' ORDER BY c.relname
"""  # noqa: S608 - a constant

_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attidentity::text, a.attgenerated::text,
       CASE WHEN a.attcollation <> t.typcollation
            THEN quote_ident(n.nspname) || '.' || quote_ident(co.collname) END,
       col_description(a.attrelid, a.attnum)
FROM pg_attribute a
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_namespace n ON n.oid = co.collnamespace
WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

_SEQUENCES = f"""
SELECT c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,
       s.seqmax, s.seqcache, s.seqcycle, owner.relname, a.attname,
       coalesce(d.deptype = 'i', false)
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class owner ON owner.oid = d.refobjid
LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE c.{_IN_SCHEMA}
ORDER BY c.relname
"""  # noqa: S608 - a constant

_CONSTRAINTS = f"""
SELECT c.relname, con.conname, con.contype::text, pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
WHERE c.{_IN_SCHEMA} AND con.contype <> 'n'  -- NOT NULL is the column's (PostgreSQL 18)
ORDER BY c.relname, con.conname
"""  # noqa: S608 - a constant

# Indexes of their own: those behind a primary key, unique or exclusion constraint come
# with the constraint.
_INDEXES = f"""
SELECT t.relname, i.relname, pg_get_indexdef(i.oid)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class t ON t.oid = x.indrelid
WHERE t.{_IN_SCHEMA}
  AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = x.indexrelid
                  AND con.conrelid = x.indrelid AND con.contype IN ('p', 'u', 'x'))
ORDER BY i.relname
"""  # noqa: S608 - a constant

_UNSUPPORTED = f"""
SELECT CASE c.relkind WHEN 'v' THEN 'a view' WHEN 'm' THEN 'a materialized view'
       WHEN 'p' THEN 'a partitioned table' WHEN 'f' THEN 'a foreign table'
       WHEN 'c' THEN 'a composite type' ELSE 'a relation of kind ' || c.relkind::text END, c.relname
FROM pg_class c WHERE c.{_IN_SCHEMA} AND c.relkind NOT IN ('r', 'i', 'S')
UNION ALL
SELECT 'a table with row-level security', c.relname
FROM pg_class c WHERE c.{_IN_SCHEMA} AND c.relkind = 'r' AND c.relrowsecurity
UNION ALL
SELECT 'an inheriting table', c.relname
FROM pg_inherits h JOIN pg_class c ON c.oid = h.inhrelid WHERE c.{_IN_SCHEMA}
UNION ALL
SELECT 'a trigger ' || quote_ident(tg.tgname) || ' on', c.relname
FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
WHERE c.{_IN_SCHEMA} AND NOT tg.tgisinternal
UNION ALL
SELECT 'a rule ' || quote_ident(r.rulename) || ' on', c.relname
FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
WHERE c.{_IN_SCHEMA} AND c.relkind = 'r'
UNION ALL
SELECT 'a function', p.proname FROM pg_proc p
WHERE p.pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
UNION ALL
SELECT 'a type', t.typname FROM pg_type t
WHERE t.typnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
  AND t.typrelid = 0 AND t.typelem = 0
UNION ALL
SELECT 'extended statistics', s.stxname FROM pg_statistic_ext s
WHERE s.stxnamespace = (SELECT oid FROM pg_namespace WHERE nspname = %(schema)s)
ORDER BY 2, 1
"""  # noqa: S608 - a constant
