"""A context's public URL prefixes, read from Django's URL conf: never a hand-written list.

The site mounts every hosted context's `<app>.rest.urls` under one API prefix
(`/api/v1/`). The proxy routes a context by the literal start of each of its patterns:
`invoices` is the exact path `/api/v1/invoices`, `invoices/<uuid:invoice_id>` the prefix
`/api/v1/invoices/`. A route added to the context's `rest/urls.py` tomorrow is routed with
it, with nothing to update here.

The mount point is found among the contexts this process does host (any context's
`rest.urls` is mounted at the same place), so the prefixes come out the same whether or not
this process hosts the context being moved.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import import_module
from types import ModuleType

from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

REST_URLS = "rest.urls"
# Every method a view class may answer; HEAD and OPTIONS come with any view.
METHODS = ("get", "post", "put", "patch", "delete")
_REGEX_SPECIAL = re.compile(r"[.^$*+?{}\[\]\\|()]")


class RoutesUnknown(LookupError):
    """The URL conf does not say where a context's routes are."""


@dataclass(frozen=True)
class Location:
    """One nginx location for a context: an exact path, or a prefix (`exact=False`)."""

    path: str
    exact: bool
    # The methods its views answer (upper case); HEAD and OPTIONS are not listed.
    methods: frozenset[str]

    @property
    def reads(self) -> bool:
        """Some view under it answers GET: the only requests the shadow state mirrors."""
        return "GET" in self.methods


def context_locations(context: str) -> tuple[Location, ...]:
    """Where `context`'s public routes live, under the site's API prefix."""
    module = _rest_urls(context)
    return locations(module.urlpatterns, mount=api_mount())


def api_mount() -> str:
    """The path at which the root URL conf mounts the contexts' REST routes (`/api/v1/`)."""
    mounts = {prefix for prefix, _ in _mounted_rest_urls(get_resolver().url_patterns, "/")}
    if len(mounts) != 1:
        found = ", ".join(sorted(mounts)) or "none"
        raise RoutesUnknown(
            f"the URL conf must mount the contexts' {REST_URLS} at one prefix; found {found}"
        )
    return mounts.pop()


def locations(patterns: Sequence[URLPattern | URLResolver], mount: str) -> tuple[Location, ...]:
    """The fewest locations that cover `patterns`, mounted at `mount`, in path order."""
    found: dict[tuple[str, bool], set[str]] = {}
    for path, exact, methods in _walk(patterns, mount):
        found.setdefault((path, exact), set()).update(methods)
    prefixes = sorted(path for path, exact in found if not exact)
    merged: dict[tuple[str, bool], set[str]] = {}
    for (path, exact), methods in found.items():
        # A route under a shorter prefix is served by that prefix's location.
        outer = next(
            (p for p in prefixes if path.startswith(p) and (p, False) != (path, exact)), None
        )
        key = (outer, False) if outer else (path, exact)
        merged.setdefault(key, set()).update(methods)
    return tuple(
        Location(path, exact, frozenset(methods))
        for (path, exact), methods in sorted(merged.items())
    )


def _rest_urls(context: str) -> ModuleType:
    try:
        name = apps.get_app_config(context).name
    except LookupError as error:
        raise RoutesUnknown(f"{context!r} is not an installed context") from error
    try:
        return import_module(f"{name}.{REST_URLS}")
    except ModuleNotFoundError as error:
        raise RoutesUnknown(f"{context!r} has no public routes ({name}.{REST_URLS})") from error


def _mounted_rest_urls(
    patterns: Iterable[URLPattern | URLResolver], prefix: str
) -> Iterable[tuple[str, str]]:
    """(mount path, module name) of every context's `rest.urls` included in `patterns`."""
    for entry in patterns:
        if not isinstance(entry, URLResolver):
            continue
        literal, _ = _literal(entry.pattern)
        module = getattr(entry.urlconf_name, "__name__", entry.urlconf_name)
        if isinstance(module, str) and module.endswith(f".{REST_URLS}"):
            yield prefix + literal, module
        else:
            yield from _mounted_rest_urls(entry.url_patterns, prefix + literal)


def _walk(
    patterns: Iterable[URLPattern | URLResolver], prefix: str
) -> Iterable[tuple[str, bool, frozenset[str]]]:
    for entry in patterns:
        literal, whole = _literal(entry.pattern)
        if isinstance(entry, URLResolver):
            if whole:
                yield from _walk(entry.url_patterns, prefix + literal)
            else:  # a converter in the include's own pattern: everything below is one prefix
                yield prefix + literal, False, _all_methods(entry.url_patterns)
        else:
            yield prefix + literal, whole, _methods(entry)


def _literal(pattern: RoutePattern | RegexPattern | object) -> tuple[str, bool]:
    """The pattern's literal start, and whether that start is the whole pattern."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern)
        head, converter, _ = route.partition("<")
        return head, not converter
    if isinstance(pattern, RegexPattern):
        regex = str(pattern).removeprefix("^")
        match = _REGEX_SPECIAL.search(regex)
        if match is None:
            return regex, False  # an include's regex without `$` matches anything after it
        head = regex[: match.start()]
        return head, regex[match.start() :] == "$"
    raise RoutesUnknown(f"cannot read the URL pattern {pattern!r}")


def _methods(entry: URLPattern) -> frozenset[str]:
    view = getattr(entry.callback, "view_class", None) or getattr(entry.callback, "cls", None)
    if view is None:
        return frozenset(m.upper() for m in METHODS)  # a function view may answer anything
    return frozenset(m.upper() for m in METHODS if hasattr(view, m))


def _all_methods(patterns: Iterable[URLPattern | URLResolver]) -> frozenset[str]:
    found: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found |= _all_methods(entry.url_patterns)
        else:
            found |= _methods(entry)
    return frozenset(found)
