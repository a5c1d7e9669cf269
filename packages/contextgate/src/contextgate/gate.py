"""Run the checks on a project, time each step, and let the ratchet judge the findings."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from contextgate import ratchet
from contextgate.checks import CHECKS, Check
from contextgate.project import Project
from contextgate.ratchet import Verdict
from contextgate.violations import Violation


@dataclass(frozen=True)
class Outcome:
    """What one run of the gate found, and how long each step took (seconds)."""

    checks: tuple[Check, ...]
    violations: list[Violation]
    verdict: Verdict
    setup_timings: dict[str, float]
    check_timings: dict[str, float]
    total: float

    @property
    def passed(self) -> bool:
        return self.verdict.passed


def find_violations(
    project: Project, checks: Sequence[Check] = CHECKS
) -> tuple[list[Violation], dict[str, float], dict[str, float]]:
    """Every violation the checks find, with the time spent preparing and in each check."""
    setup: dict[str, float] = {}
    timings: dict[str, float] = {}
    found: list[Violation] = []
    # Parsed trees stay alive for the whole run and hold no cycles: a collection would
    # walk every node of them again and again, for nothing (40% of a large tree's time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        _timed(setup, "build import graph", lambda: project.graph)
        _timed(setup, "read models", lambda: project.models)
        _timed(setup, "select files", lambda: project.relevant)
        _timed(setup, "parse sources", project.parse_all)
        for check in checks:
            found += _timed(timings, check.id, lambda check=check: check.run(project))
    finally:
        if collecting:
            gc.enable()
    return sorted(set(found)), setup, timings


def run(project: Project, checks: Sequence[Check] = CHECKS) -> Outcome:
    started = time.perf_counter()
    violations, setup, timings = find_violations(project, checks)
    entries, unreadable = ratchet.read(project)
    verdict = ratchet.judge(violations, entries, {check.id for check in checks})
    verdict = Verdict(verdict.new + unreadable, verdict.tolerated, verdict.stale)
    return Outcome(
        checks=tuple(checks),
        violations=violations,
        verdict=verdict,
        setup_timings=setup,
        check_timings=timings,
        total=time.perf_counter() - started,
    )


def _timed(timings: dict[str, float], name: str, step: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = step()
    timings[name] = time.perf_counter() - started
    return result
