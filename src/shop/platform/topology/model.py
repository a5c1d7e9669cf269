"""Which service hosts which contexts: the one place a process asks "is this mine?".

Every process installs every context (the router, the migration graph, the gate and the
subscription registry are the same everywhere) and *hosts* only its own service's
contexts. `identity` stands for Django's own apps on the `default` alias.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

IDENTITY = "identity"
DEFAULT_SERVICE = "shop"


class NotHosted(LookupError):
    """Code in this process touched a context that another service hosts."""

    def __init__(self, context: str, here: str, there: str | None) -> None:
        self.context, self.here, self.there = context, here, there
        where = f"service {there!r} hosts it" if there else "no service hosts it"
        super().__init__(
            f"context {context!r} is not hosted by this process (service {here!r}); {where}"
        )


@dataclass(frozen=True)
class Service:
    name: str
    hosts: tuple[str, ...]
    # Where the other services reach this one's internal endpoints (None: one service).
    url: str | None = None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a topology file, at one key of it."""

    key: str
    message: str


@dataclass(frozen=True)
class Topology:
    services: tuple[Service, ...]
    this: str
    # Where a context's store lives, when the file says (a database URL); else the
    # process's own SHOP_DATABASE_URL layout applies.
    stores: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def service(self) -> Service:
        return next(s for s in self.services if s.name == self.this)

    @property
    def is_split(self) -> bool:
        return len(self.services) > 1

    def host_of(self, context: str) -> Service | None:
        return next((s for s in self.services if context in s.hosts), None)

    def hosts(self, context: str) -> bool:
        return context in self.service.hosts

    def hosted(self, contexts: tuple[str, ...] | list[str]) -> list[str]:
        """The given contexts this process hosts, in the given order."""
        return [c for c in contexts if self.hosts(c)]

    def require(self, context: str) -> None:
        if not self.hosts(context):
            there = self.host_of(context)
            raise NotHosted(context, self.this, there.name if there else None)

    def describe(self) -> dict[str, object]:
        """For status pages and probes: this service and what it hosts."""
        return {"service": self.this, "hosts": list(self.service.hosts)}


def single(contexts: tuple[str, ...] | list[str]) -> Topology:
    """No topology file: one service hosting every context and identity."""
    return Topology(
        services=(Service(DEFAULT_SERVICE, (IDENTITY, *contexts)),), this=DEFAULT_SERVICE
    )
