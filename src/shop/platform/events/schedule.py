"""Periodic jobs contexts declare (saga deadlines, purges); run by the worker or Celery beat."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from shop.platform import topology

log = structlog.get_logger(__name__)


@dataclass
class Job:
    name: str
    every_seconds: float
    run: Callable[[], object]
    # The context whose job it is: it runs only where that context is hosted. None: the
    # platform's own jobs (purges, redelivery), which look at the hosted stores only.
    context: str | None = None
    next_run: float = field(default=0.0)


class Schedule:
    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}

    def every(
        self, seconds: float, name: str, run: Callable[[], object], *, context: str | None = None
    ) -> None:
        self.jobs[name] = Job(name, seconds, run, context)

    def hosted(self) -> list[Job]:
        """The jobs this process runs: the platform's, and those of its hosted contexts."""
        here = topology.current()
        return [j for j in self.jobs.values() if j.context is None or here.hosts(j.context)]

    def run_due(self, now: float | None = None) -> list[str]:
        """Run every job whose time has come; one failing job does not stop the others."""
        now = time.monotonic() if now is None else now
        ran = []
        for job in self.hosted():
            if job.next_run <= now:
                job.next_run = now + job.every_seconds
                try:
                    job.run()
                except Exception:
                    log.exception("scheduled job failed", job=job.name)
                    continue
                ran.append(job.name)
        return ran


schedule = Schedule()
