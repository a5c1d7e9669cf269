"""Read a topology file (TOML) into a Topology, collecting every problem at its key.

    [services.shop]
    hosts = ["identity", "catalog", "inventory", "ordering"]
    url = "http://127.0.0.1:8000"

    [services.billing]
    hosts = ["billing"]
    url = "http://127.0.0.1:8001"

    [stores]
    billing = "postgresql://127.0.0.1:5432/shop_billing"

Loading never raises on a wrong file: settings must still load so that the system check
(`shop.platform.topology.checks`) can name every problem at once, file and key.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from shop.platform.topology.model import IDENTITY, Problem, Service, Topology, single

TOP_KEYS = {"services", "stores"}
SERVICE_KEYS = {"hosts", "url"}


def load(path: str | None, service: str | None, contexts: Sequence[str]) -> Topology:
    """The topology at `path` as seen by `service`; no path: one service hosting all."""
    if not path:
        return single(list(contexts))
    return _load(path, service, contexts, as_a_service=True)


def layout(path: str, contexts: Sequence[str]) -> Topology:
    """The file as a tool that plans across its services reads it (the proxy).

    Every problem of the file is reported, but none about SHOP_SERVICE: the tool is none of
    the services. `this` is the first service.
    """
    return _load(path, None, contexts, as_a_service=False)


def _load(path: str, service: str | None, contexts: Sequence[str], as_a_service: bool) -> Topology:
    problems: list[Problem] = []
    try:
        document = tomllib.loads(Path(path).read_text())
    except OSError as error:
        return _broken(contexts, path, Problem("", f"cannot be read: {error.strerror}"))
    except tomllib.TOMLDecodeError as error:
        return _broken(contexts, path, Problem("", f"is not valid TOML: {error}"))

    problems += [
        Problem(k, "is not a known key (services, stores)") for k in document.keys() - TOP_KEYS
    ]
    known = (IDENTITY, *contexts)
    services = _services(document.get("services"), known, problems)
    _every_context_once(services, known, problems)
    stores = _stores(document.get("stores", {}), contexts, problems)
    if not services:
        return _broken(contexts, path, *problems)
    this = _this(service, services, problems) if as_a_service else services[0].name
    return Topology(tuple(services), this, stores, source=path, problems=tuple(problems))


def _services(table: object, known: Sequence[str], problems: list[Problem]) -> list[Service]:
    if not isinstance(table, dict) or not table:
        problems.append(Problem("services", "must name at least one service ([services.NAME])"))
        return []
    services = []
    for name, body in table.items():
        key = f"services.{name}"
        if not isinstance(body, dict):
            problems.append(Problem(key, "must be a table"))
            continue
        problems += [
            Problem(f"{key}.{k}", "is not a known key (hosts, url)")
            for k in body.keys() - SERVICE_KEYS
        ]
        hosts = body.get("hosts", [])
        if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
            problems.append(Problem(f"{key}.hosts", "must be a list of context names"))
            hosts = []
        for context in hosts:
            if context not in known:
                problems.append(
                    Problem(f"{key}.hosts", f"{context!r} is not a context ({', '.join(known)})")
                )
        if not hosts:
            problems.append(Problem(f"{key}.hosts", "hosts no context"))
        url = body.get("url")
        if url is not None and (
            not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https")
        ):
            problems.append(Problem(f"{key}.url", "must be an http:// or https:// base URL"))
            url = None
        if url is None and len(table) > 1:
            problems.append(Problem(f"{key}.url", "is required when there are several services"))
        services.append(Service(name, tuple(h for h in hosts if h in known), url))
    return services


def _every_context_once(services: list[Service], known: Sequence[str], problems: list[Problem]):
    for context in known:
        hosting = [s.name for s in services if context in s.hosts]
        if not hosting and services:
            problems.append(Problem("services", f"no service hosts {context!r}"))
        elif len(hosting) > 1:
            problems.append(
                Problem(
                    "services", f"{context!r} is hosted by {' and '.join(hosting)}: host it once"
                )
            )


def _stores(table: object, contexts: Sequence[str], problems: list[Problem]) -> dict[str, str]:
    if not isinstance(table, dict):
        problems.append(Problem("stores", "must be a table of context = database URL"))
        return {}
    stores = {}
    for context, url in table.items():
        key = f"stores.{context}"
        if context not in contexts:
            problems.append(Problem(key, f"is not a context ({', '.join(contexts)})"))
        elif not isinstance(url, str) or urlsplit(url).scheme not in ("postgres", "postgresql"):
            problems.append(Problem(key, "must be a postgresql:// URL"))
        else:
            stores[context] = url
    return stores


def _this(service: str | None, services: list[Service], problems: list[Problem]) -> str:
    names = [s.name for s in services]
    if service:
        if service not in names and names:
            problems.append(
                Problem("services", f"SHOP_SERVICE={service!r} is not one of {', '.join(names)}")
            )
            return names[0]
        return service
    if len(names) > 1:
        problems.append(Problem("services", "several services: set SHOP_SERVICE to this process's"))
    return names[0] if names else ""


def _broken(contexts: Sequence[str], path: str, *problems: Problem) -> Topology:
    """A file that cannot be used at all: the single default, carrying the problems."""
    fallback = single(list(contexts))
    return Topology(fallback.services, fallback.this, source=path, problems=tuple(problems))
