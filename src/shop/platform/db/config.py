"""Build Django's DATABASES: one alias per context plus `default` for Django's own apps.

Two stores are supported, chosen by a single setting:

* embedded (no `SHOP_DATABASE_URL`): one SQLite file per alias under the data directory;
* PostgreSQL (`SHOP_DATABASE_URL=postgresql://host:port/dbname`): one database, one
  schema per alias, and one login role per alias (`<prefix>_<schema>`) whose
  `search_path` is set on the role by `manage.py provision_postgres`.

Any single alias can be moved to its own server with `SHOP_<ALIAS>_DATABASE_URL`,
which is the configuration-only half of extracting a context.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from shop.platform.topology.model import IDENTITY

FALSY = {"0", "false", "no", "off", ""}

DEFAULT_ALIAS = "default"
# Django's own apps (auth, admin, sessions, tokens) live in the generic identity subdomain.
DEFAULT_SCHEMA = "identity"


@dataclass(frozen=True)
class PostgresTarget:
    """Where one alias lives on PostgreSQL, and as whom it connects."""

    alias: str
    schema: str
    role: str
    host: str
    port: int
    dbname: str
    password: str | None


def alias_for(context: str) -> str:
    """A context's alias is its own name; identity (Django's own apps) is `default`."""
    return DEFAULT_ALIAS if context == IDENTITY else context


def context_for(alias: str) -> str:
    return IDENTITY if alias == DEFAULT_ALIAS else alias


def schema_for(alias: str) -> str:
    return DEFAULT_SCHEMA if alias == DEFAULT_ALIAS else alias


def aliases(contexts: Sequence[str]) -> list[str]:
    return [DEFAULT_ALIAS, *contexts]


def postgres_targets(
    contexts: Sequence[str], database_url: str, env: Mapping[str, str]
) -> list[PostgresTarget]:
    prefix = env.get("SHOP_DB_ROLE_PREFIX", "shop")
    shared = _parse(database_url, "SHOP_DATABASE_URL")
    if shared.username:
        raise ValueError(
            "SHOP_DATABASE_URL must not name a user: each context connects as its own role "
            f"({prefix}_<context>); name a role per alias with SHOP_<ALIAS>_DATABASE_URL"
        )
    targets = []
    for alias in aliases(contexts):
        schema = schema_for(alias)
        own_name = f"SHOP_{alias.upper()}_DATABASE_URL"
        url = _parse(env[own_name], own_name) if env.get(own_name) else shared
        targets.append(
            PostgresTarget(
                alias=alias,
                schema=schema,
                role=unquote(url.username) if url.username else f"{prefix}_{schema}",
                host=url.hostname or "127.0.0.1",
                port=url.port or 5432,
                dbname=unquote(url.path.lstrip("/")),
                password=env.get(f"SHOP_{alias.upper()}_DATABASE_PASSWORD")
                or (unquote(url.password) if url.password else None),
            )
        )
    return targets


def store_env(stores: Mapping[str, str], env: Mapping[str, str]) -> dict[str, str]:
    """`env` with each store a topology file places elsewhere as its
    SHOP_<ALIAS>_DATABASE_URL (a variable that is set wins)."""
    return {**{f"SHOP_{c.upper()}_DATABASE_URL": url for c, url in stores.items()}, **env}


def _parse(url: str, name: str) -> SplitResult:
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"{name}: unsupported scheme {parts.scheme!r} (use postgresql://)")
    if not parts.path.lstrip("/"):
        raise ValueError(f"{name}: the URL names no database")
    return parts


def build_databases(
    contexts: Sequence[str],
    *,
    data_dir: Path,
    env: Mapping[str, str],
    hosted: Sequence[str] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every alias, or only the `hosted` ones."""
    database_url = env.get("SHOP_DATABASE_URL", "").strip()
    if database_url:
        built = {t.alias: _postgres(t, env) for t in postgres_targets(contexts, database_url, env)}
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        built = {
            alias: _sqlite(data_dir / f"{alias}.sqlite3", data_dir / f"test_{alias}.sqlite3")
            for alias in aliases(contexts)
        }
    if hosted is None:
        return built
    return {a: db for a, db in built.items() if a in hosted}


def unhosted(context: str, service: str, hosted_by: str | None) -> dict[str, Any]:
    """The alias of a context another service hosts: no store here, every query refused
    with an error naming that service (shop.platform.db.unhosted)."""
    options = {"context": context, "service": service, "hosted_by": hosted_by}
    return {"ENGINE": "shop.platform.db.unhosted", "OPTIONS": options, "TEST": {}}


def _sqlite(path: Path, test_path: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # Writers queue for the lock instead of failing with "database is locked";
            # WAL lets readers proceed while one writer commits.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
        # A file, not Django's shared in-memory default: the event worker thread and the
        # test thread then lock like two processes would (busy timeout, WAL), not fail.
        "TEST": {"NAME": str(test_path)},
    }


def _postgres(target: PostgresTarget, env: Mapping[str, str]) -> dict[str, Any]:
    return {
        "ENGINE": "shop.platform.db.postgresql",
        "NAME": target.dbname,
        "USER": target.role,
        "PASSWORD": target.password or "",
        "HOST": target.host,
        "PORT": str(target.port),
        "CONN_MAX_AGE": int(env.get("SHOP_DB_CONN_MAX_AGE", "60")),
        # A persistent connection is checked at its first use in each request, so a
        # restarted server costs no failed request: by its socket, no round trip, unless
        # something arrived on it (shop.platform.db.postgresql). Off: the first request
        # after a restart may fail.
        "CONN_HEALTH_CHECKS": env.get("SHOP_DB_HEALTH_CHECKS", "1").strip().lower() not in FALSY,
        "OPTIONS": {
            "application_name": f"shop:{target.alias}",
            "connect_timeout": int(env.get("SHOP_DB_CONNECT_TIMEOUT", "5")),
            **_prepared_statements(env),
        },
        # Every alias shares one test database; tests/conftest.py provisions a schema
        # and role per alias in it, exactly as production does.
        "TEST": {"NAME": f"test_{target.dbname}"},
    }


def _prepared_statements(env: Mapping[str, str]) -> dict[str, Any]:
    """Server-side binding, and a statement run 5 times on a connection prepared there.

    PostgreSQL then parses and plans each of the shop's statements once per connection,
    not at every execution: 40% less of its CPU under the saga's load (bench/README.md).
    SHOP_DB_PREPARED_STATEMENTS=0 restores Django's defaults (parameters interpolated by
    the client, nothing prepared): needed behind a connection pooler that does not keep
    prepared statements (PgBouncer in transaction mode before 1.21).
    """
    if env.get("SHOP_DB_PREPARED_STATEMENTS", "1").strip().lower() in FALSY:
        return {}
    return {"server_side_binding": True, "prepare_threshold": 5}
