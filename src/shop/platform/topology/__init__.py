"""The process layout: which service hosts which contexts (docs/topology.md)."""

from django.conf import settings

from shop.platform.topology.loading import layout, load
from shop.platform.topology.model import IDENTITY, NotHosted, Problem, Service, Topology, single

__all__ = [
    "IDENTITY",
    "NotHosted",
    "Problem",
    "Service",
    "Topology",
    "current",
    "layout",
    "load",
    "single",
]


def current() -> Topology:
    """This process's topology (settings.SHOP_TOPOLOGY, read from SHOP_TOPOLOGY at start)."""
    return settings.SHOP_TOPOLOGY
