"""What a context's saga waits for next, by subject: registered by the context itself.

A context that runs a saga registers, from its `subscribers.register(wiring)`, a function
`subject id -> Expectation | None` (`wiring.expect(...)`): given any subject id, it says
what the aggregate with that id waits for and since when, or None (not its aggregate, or
waiting for nothing). The timeline asks every hosted context's functions; the platform
never learns any saga's steps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog

from shop.platform import topology

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Expectation:
    """The next step an aggregate waits for (`what`, in the operator's words), since when,
    and the moment it stops waiting anyway (a saga's timeout), if there is one."""

    what: str
    since: datetime
    deadline: datetime | None = None


@dataclass(frozen=True)
class Expected:
    """One context's answer for a subject: an Expectation, or the error that asking raised."""

    context: str
    expectation: Expectation | None = None
    error: str = ""


Expecter = Callable[[str], Expectation | None]

_expecters: dict[str, list[Expecter]] = defaultdict(list)


def register(context: str, expecter: Expecter) -> None:
    """Called through `Wiring.expect`; registering the same function twice keeps one."""
    if expecter not in _expecters[context]:
        _expecters[context].append(expecter)


def contexts() -> list[str]:
    """The contexts that registered an expectation, in registration order."""
    return [context for context, registered in _expecters.items() if registered]


def expected(subject: str) -> list[Expected]:
    """What each hosted context says `subject` waits for (nothing from a context that says
    None). A function that raises is reported, not raised: the page still shows the rest."""
    here = topology.current()
    found = []
    for context in contexts():
        if not here.hosts(context):
            continue
        for expecter in _expecters[context]:
            try:
                expectation = expecter(subject)
            except Exception as exc:
                log.exception("expectation failed", context=context, subject=subject)
                found.append(Expected(context, error=f"{type(exc).__name__}: {exc}"))
                continue
            if expectation is not None:
                found.append(Expected(context, expectation))
    return found
