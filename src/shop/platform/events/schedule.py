"""Periodic jobs contexts declare (saga deadlines, purges); run by the worker or Celery beat."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

log = structlog.get_logger(__name__)


@dataclass
class Job:
    name: str
    every_seconds: float
    run: Callable[[], object]
    next_run: float = field(default=0.0)


class Schedule:
    def __init__(self) -> None:
        self.jobs: dict[str, Job] = {}

    def every(self, seconds: float, name: str, run: Callable[[], object]) -> None:
        self.jobs[name] = Job(name, seconds, run)

    def run_due(self, now: float | None = None) -> list[str]:
        """Run every job whose time has come; one failing job does not stop the others."""
        now = time.monotonic() if now is None else now
        ran = []
        for job in self.jobs.values():
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
