"""One database alias per bounded context, and the router that keeps each app on its own."""

from django.conf import settings

from shop.platform import topology
from shop.platform.db.config import alias_for


def hosted_aliases() -> list[str]:
    """The aliases whose stores this process hosts: `default` (identity) first, if hosted."""
    here = topology.current()
    return [
        alias_for(context)
        for context in (topology.IDENTITY, *settings.SHOP_CONTEXTS)
        if here.hosts(context)
    ]
