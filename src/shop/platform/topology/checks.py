"""The start-up check of the topology: every problem, named by file and key."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from shop.platform.topology import current
from shop.platform.topology.model import Topology


def topology_problems(topology: Topology, transport: str) -> list[str]:
    """Every problem of `topology` run with `transport`, one line each: file: key: what."""
    where = topology.source or "(no topology file)"
    lines = [f"{where}: {p.key or '(file)'}: {p.message}" for p in topology.problems]
    if topology.is_split and transport == "inline":
        lines.append(
            f"{where}: services: a split topology needs the celery transport "
            f"(SHOP_EVENT_TRANSPORT=celery), not {transport!r}"
        )
    return lines


@checks.register("topology")
def check_topology(app_configs, **kwargs) -> list[checks.CheckMessage]:
    transport = settings.SHOP_EVENTS["transport"]
    return [checks.Error(line, id="shop.T001") for line in topology_problems(current(), transport)]
