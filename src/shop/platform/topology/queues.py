"""Celery queues per service: which a process sends its own work to, and may consume."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from shop.platform.topology.model import Topology

EVENTS = "events"


def events_queue(topology: Topology, service: str | None = None) -> str:
    """The queue of a service's relays, sweeps and jobs (`events` when there is one)."""
    return f"{EVENTS}.{service or topology.this}" if topology.is_split else EVENTS


def queue_problems(topology: Topology, contexts: Sequence[str], queues: Iterable[str]) -> list[str]:
    """Why a worker of this process must not consume `queues`, one line each."""
    problems = []
    for queue in queues:
        if queue in contexts and not topology.hosts(queue):
            host = topology.host_of(queue)
            problems.append(
                f"queue {queue!r}: this service ({topology.this!r}) does not host {queue!r}"
                f"{f'; service {host.name!r} does' if host else ''}: its messages would find no store"
            )
        elif queue.startswith(f"{EVENTS}.") and queue != events_queue(topology):
            problems.append(f"queue {queue!r}: another service's relays and jobs")
    return problems
