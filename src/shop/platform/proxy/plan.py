"""What the proxy does in each rollout state, decided from a topology: a Plan.

The topology file given is the *target* layout, the split: the service hosting identity is
the monolith (it serves every route but the moved context's), and one other service hosts
the context being moved, and only it. The states:

| state | the context's routes | everything else |
|---|---|---|
| `monolith` | the monolith | the monolith |
| `shadow` | the monolith; GETs also mirrored to the context's service, answers discarded | the monolith |
| `cutover` | the context's service | the monolith |
| `rollback` | exactly `monolith` | the monolith |
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from shop.platform.proxy.routes import Location
from shop.platform.topology import IDENTITY, Topology

MONOLITH, SHADOW, CUTOVER, ROLLBACK = "monolith", "shadow", "cutover", "rollback"
STATES = (MONOLITH, SHADOW, CUTOVER, ROLLBACK)
# An upstream's name is the service's: it shows in the access log as `upstream`.
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)$")


class PlanError(ValueError):
    """The inputs cannot make a proxy configuration; the message is one line."""


@dataclass(frozen=True)
class Upstream:
    name: str  # the service's name
    address: str  # HOST:PORT


@dataclass(frozen=True)
class Plan:
    state: str  # monolith, shadow or cutover: what is rendered (rollback renders monolith)
    requested: str  # the state asked for, rollback included
    context: str
    listen: str
    monolith: Upstream
    service: Upstream  # the moved context's service
    locations: tuple[Location, ...]

    @property
    def serving(self) -> Upstream:
        """Who answers the context's routes."""
        return self.service if self.state == CUTOVER else self.monolith

    @property
    def mirrored(self) -> tuple[Location, ...]:
        """The locations whose GETs are mirrored to the context's service (shadow only)."""
        return tuple(loc for loc in self.locations if loc.reads) if self.state == SHADOW else ()

    @property
    def upstreams(self) -> tuple[Upstream, ...]:
        """The upstreams this state sends traffic to: only those go in the file."""
        return (self.monolith,) if self.state == MONOLITH else (self.monolith, self.service)

    def describe(self) -> str:
        what = {
            MONOLITH: f"{self.monolith.name} serves everything",
            SHADOW: f"{self.monolith.name} serves everything; {self.context}'s GETs mirrored "
            f"to {self.service.name} at {self.service.address}",
            CUTOVER: f"{self.service.name} at {self.service.address} serves {self.context}'s "
            f"routes, {self.monolith.name} the rest",
        }[self.state]
        return f"state {self.state}: {what}"


def make_plan(
    *,
    topology: Topology,
    context: str,
    contexts: Sequence[str],
    state: str,
    listen: str,
    locations: tuple[Location, ...],
) -> Plan:
    """The plan for `state`, or PlanError naming the one thing wrong."""
    if state not in STATES:
        raise PlanError(f"unknown state {state!r}: choose {', '.join(STATES)}")
    where = topology.source or "(no topology file)"
    if topology.problems:
        problems = "; ".join(f"{p.key or '(file)'}: {p.message}" for p in topology.problems)
        raise PlanError(f"the topology is wrong: {where}: {problems}")
    if context not in contexts:
        raise PlanError(f"{context!r} is not a context ({', '.join(contexts)})")
    monolith = topology.host_of(IDENTITY)
    service = topology.host_of(context)
    if monolith is None or service is None:  # a topology without problems hosts them all
        raise PlanError(f"{where}: no service hosts {IDENTITY if monolith is None else context}")
    if service == monolith:
        raise PlanError(
            f"{where}: service {service.name!r} hosts {context} with {IDENTITY}: nothing to move; "
            f"name the split in which {context} has a service of its own"
        )
    if service.hosts != (context,):
        raise PlanError(
            f"{where}: services.{service.name}.hosts: the proxy moves one context at a time; "
            f"{service.name!r} hosts {', '.join(service.hosts)}"
        )
    others = [s.name for s in topology.services if s not in (monolith, service)]
    if others:
        raise PlanError(
            f"{where}: services: the proxy moves one context at a time; every other context "
            f"stays with {monolith.name!r}, but {', '.join(others)} host some"
        )
    if not locations:
        raise PlanError(f"{context!r} has no public routes to move")
    return Plan(
        state=MONOLITH if state == ROLLBACK else state,
        requested=state,
        context=context,
        listen=_listen(listen),
        monolith=_upstream(where, monolith.name, monolith.url),
        service=_upstream(where, service.name, service.url),
        locations=locations,
    )


def _upstream(where: str, name: str, url: str | None) -> Upstream:
    if not _NAME.match(name):
        raise PlanError(
            f"{where}: services.{name}: a service name the proxy can use is [A-Za-z0-9_-]"
        )
    parts = urlsplit(url or "")
    if parts.scheme != "http" or not parts.hostname or parts.path not in ("", "/"):
        raise PlanError(
            f"{where}: services.{name}.url: the proxy reaches a service at http://HOST:PORT, "
            f"not {url!r}"
        )
    try:
        port = parts.port or 80
    except ValueError as error:
        raise PlanError(f"{where}: services.{name}.url: {error}") from error
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return Upstream(name, f"{host}:{port}")


def _listen(listen: str) -> str:
    """HOST:PORT or PORT, as nginx's `listen` takes it; anything else is refused."""
    host, _, port = listen.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536 or (host and not _HOST.match(host)):
        raise PlanError(f"--listen {listen!r}: give HOST:PORT (127.0.0.1:8080) or PORT")
    return listen
