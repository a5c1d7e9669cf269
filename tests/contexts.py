"""The contexts as the code lists them, for tests that write a topology or expect one per context.

A test that moves billing names billing and takes everything else from settings.SHOP_CONTEXTS,
so that a context added by `manage.py startcontext` stays hosted, listed and checked with no
test to edit.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.urls import get_resolver, resolve, reverse

from shop.platform.topology import IDENTITY


def all_but(*moved: str) -> list[str]:
    """Identity and every context except `moved`, in settings order: what stays behind."""
    unknown = set(moved) - {IDENTITY, *settings.SHOP_CONTEXTS}
    if unknown:
        raise ValueError(f"not a context: {', '.join(sorted(unknown))}")
    return [name for name in (IDENTITY, *settings.SHOP_CONTEXTS) if name not in moved]


def contexts_but(*moved: str) -> list[str]:
    """Every context except `moved`, identity left out, in settings order."""
    return [name for name in all_but(*moved) if name != IDENTITY]


def hosts(names: Iterable[str]) -> str:
    """The `hosts = [...]` line of a topology file (a TOML array of strings is JSON's)."""
    return f"hosts = {json.dumps(list(names))}"


def sample_paths(context: str) -> list[str]:
    """A concrete path for every named route of `context` in the site's URL conf.

    Django's own reverse() and resolve() are the oracle: a route belongs to the context whose
    package defines its view.
    """
    resolver = get_resolver()
    found = []
    for name in resolver.reverse_dict:
        if not isinstance(name, str):
            continue
        for possibilities, *_ in resolver.reverse_dict.getlist(name):
            for _, params in possibilities:
                kwargs = {p: uuid.uuid4() if p.endswith("id") else "MUG-CLASSIC" for p in params}
                url = reverse(name, kwargs=kwargs)
                view = resolve(url).func
                if getattr(view, "view_class", view).__module__.startswith(f"shop.{context}."):
                    found.append(url)
    return found
