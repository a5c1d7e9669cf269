"""Copy a context's schema into its own database, prove the copy, and close the old one.

In this order (ADR 0024):

1. Refusals, while nothing has changed: the broker's consumers, the source's tables and
   objects, the target's contents; then, in the source's transaction (REPEATABLE READ, its
   tables locked EXCLUSIVE before the snapshot is taken, so no write slips between the
   checks and the copy), the outbox and the store's recent work.
2. Provisioning of the target as `provision_postgres` does it: database, role, schema.
3. In one transaction of the target, as the context's role (which thereby owns it all):
   the source's DDL, every table's rows, constraints and indexes, every sequence's value.
4. Verification in that transaction: the target's catalog describes the same schema, each
   table's row count and checksum and each sequence's value equal the source's.
5. Privileges: the old copy retired (or dropped), the context's role shut out of the old
   database, other roles out of the new one, and every answer checked.
6. Commit, the target first: a failure before it leaves the source as it was and the
   target provisioned and empty, so the move can simply be run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from psycopg import IsolationLevel, errors, sql

from shop.platform.db.moving import checks, privileges, rows, schema
from shop.platform.db.moving.checks import Refused
from shop.platform.db.moving.plan import Plan
from shop.platform.db.moving.privileges import Reach
from shop.platform.db.moving.rows import Checksum
from shop.platform.db.provisioning import provision


@dataclass(frozen=True)
class Options:
    admin_url: str
    target_admin_url: str
    quiet_for: float = 30.0
    lock_timeout: float = 5.0
    drop_old: bool = False


@dataclass(frozen=True)
class TableCopy:
    name: str
    source: Checksum
    copy: Checksum

    @property
    def ok(self) -> bool:
        return self.source == self.copy


@dataclass(frozen=True)
class SequenceCopy:
    name: str
    source: tuple[int, bool]
    copy: tuple[int, bool]

    @property
    def ok(self) -> bool:
        return self.source == self.copy


@dataclass(frozen=True)
class Report:
    tables: tuple[TableCopy, ...] = ()
    sequences: tuple[SequenceCopy, ...] = ()
    schema_differences: tuple[str, ...] = ()
    reaches: tuple[Reach, ...] = field(default=())

    @property
    def problems(self) -> list[str]:
        return (
            [
                f"table {t.name}: {t.copy.rows} rows copied of {t.source.rows}, checksums "
                f"{t.copy.md5} and {t.source.md5}"
                for t in self.tables
                if not t.ok
            ]
            + [
                f"sequence {s.name}: {s.copy} copied of {s.source}"
                for s in self.sequences
                if not s.ok
            ]
            + [f"schema: {line}" for line in self.schema_differences]
            + [
                f"{r.role} {'may' if r.allowed else 'may not'} {r.what}"
                for r in self.reaches
                if r.allowed != r.expected
            ]
        )


class Failed(Exception):  # noqa: N818 - a verdict, said in one line
    """The copy ran but did not verify: nothing was committed."""

    def __init__(self, message: str, report: Report | None = None) -> None:
        super().__init__(message)
        self.report = report


def move(plan: Plan, options: Options, say: Callable[[str], None] = lambda _: None) -> Report:
    if plan.queues:
        checks.refuse_busy_broker(list(plan.queues))
    with _connect(options.admin_url, plan.source.dbname, "the source") as source:
        tables = _probe_source(source, plan)
        _probe_target(options.target_admin_url, plan)
        source.autocommit = False
        source.isolation_level = IsolationLevel.REPEATABLE_READ
        checks.lock(source, plan.schema, tables, options.lock_timeout)
        described = schema.describe(source, plan.schema)
        if [t.name for t in described.tables] != tables:
            raise Refused(f"{plan.schema}'s tables changed while the move began: run it again")
        checks.refuse_undispatched(source, plan.schema, plan.outbox, plan.context)
        checks.refuse_recent_work(source, plan.schema, plan.inbox, plan.outbox, options.quiet_for)

        provision(options.target_admin_url, [plan.target], say=say)
        try:
            with _connect(options.target_admin_url, plan.target.dbname, "the target") as target:
                target.autocommit = False
                report = _copy(source, target, described, plan, say)
                report = Report(
                    report.tables,
                    report.sequences,
                    report.schema_differences,
                    tuple(_close_off(source, target, described, plan, options)),
                )
                if report.problems:
                    raise Failed(
                        f"the copy of {plan.context}'s store did not verify, so nothing was "
                        f"committed: {'; '.join(report.problems)}",
                        report,
                    )
                target.commit()
                source.commit()
        except errors.LockNotAvailable as exc:
            raise Failed(
                f"the old {plan.schema} tables are in use ({exc.diag.message_primary}): "
                "nothing was committed; stop what reads them and run the move again"
            ) from exc
        except psycopg.Error as exc:
            raise Failed(
                f"the copy failed, so nothing was committed: {type(exc).__name__}: "
                f"{(exc.diag.message_primary or str(exc)).strip()}"
            ) from exc
    return report


def _probe_source(conn: psycopg.Connection, plan: Plan) -> list[str]:
    where = f"{plan.source.dbname}.{plan.schema}"
    found = schema.unsupported(conn, plan.schema)
    if found:
        raise Refused(f"{where} holds {', '.join(found)}, which move_store does not copy")
    tables = [t.name for t in schema.describe(conn, plan.schema).tables]
    checks.refuse_missing_tables(tables, list(plan.tables), where)
    return tables


def _probe_target(admin_url: str, plan: Plan) -> None:
    with _connect(admin_url, None, "the target's server") as server:
        exists = server.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [plan.target.dbname]
        ).fetchone()
    if exists:
        with _connect(admin_url, plan.target.dbname, "the target") as conn:
            checks.refuse_nonempty_target(conn, plan.target.dbname, plan.schema)


def _copy(
    source: psycopg.Connection,
    target: psycopg.Connection,
    described: schema.Schema,
    plan: Plan,
    say: Callable[[str], None],
) -> Report:
    target.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(plan.role)))
    schema.create(target, described)
    for table in described.tables:
        rows.copy_rows(source, target, plan.schema, table)
    schema.finish(target, described)
    values = rows.sequence_values(source, described)
    rows.set_sequences(target, plan.schema, values)
    target.execute("RESET ROLE")
    say(f"copied {len(described.tables)} tables and {len(values)} sequences")
    copies, originals = rows.checksums(target, described), rows.checksums(source, described)
    copied_values = rows.sequence_values(target, described)
    return Report(
        tables=tuple(TableCopy(n, originals[n], copies[n]) for n in originals),
        sequences=tuple(SequenceCopy(n, values[n], copied_values[n]) for n in values),
        schema_differences=tuple(described.differences(schema.describe(target, plan.schema))),
    )


def _close_off(
    source: psycopg.Connection,
    target: psycopg.Connection,
    described: schema.Schema,
    plan: Plan,
    options: Options,
) -> list[Reach]:
    everyone = [plan.role, *plan.other_roles]
    privileges.revoke_database(target, plan.target.dbname, plan.other_roles)
    privileges.retire(source, described, everyone, drop=options.drop_old)
    privileges.revoke_database(source, plan.source.dbname, [plan.role])
    reaches = [
        *privileges.reach_database(target, plan.target.dbname, [plan.role], expected=True),
        *privileges.reach_schemas(
            target, plan.target.dbname, [plan.role], [plan.schema], expected=True
        ),
        *privileges.reach_database(target, plan.target.dbname, plan.other_roles),
        *privileges.reach_schemas(
            target,
            plan.target.dbname,
            [plan.role],
            privileges.schemas_besides(target, plan.schema),
        ),
        *privileges.reach_database(source, plan.source.dbname, [plan.role]),
        *privileges.reach_schemas(
            source,
            plan.source.dbname,
            [plan.role],
            privileges.schemas_besides(source, plan.schema),
        ),
    ]
    if not options.drop_old:
        reaches += privileges.reach_schemas(
            source, plan.source.dbname, everyone, [plan.schema], label=" (the old copy)"
        )
    return reaches


def _connect(admin_url: str, dbname: str | None, what: str) -> psycopg.Connection:
    """An administrator's connection, in autocommit, with the move's session settings."""
    try:
        conn = psycopg.connect(admin_url, autocommit=True, **({"dbname": dbname} if dbname else {}))
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Refused(f"cannot connect to {what} ({dbname or admin_url}): {first}") from exc
    rows.configure(conn)
    return conn
