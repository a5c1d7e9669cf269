"""The gate's outcome for people (text, grouped by owner) and for tools (JSON, GitHub).

SARIF, for code-scanning UIs, is in `sarif`. Every format carries the same violations,
each marked new, stale (a ratchet entry that no longer occurs) or tolerated; the GitHub
workflow annotations show the new and stale ones, which are what fail a run.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from contextgate.gate import Outcome
from contextgate.violations import PROJECT, Violation

NEW, STALE, TOLERATED = "new", "stale", "tolerated"


def statuses(outcome: Outcome) -> list[tuple[str, Violation]]:
    verdict = outcome.verdict
    return [
        *((NEW, v) for v in verdict.new),
        *((STALE, v) for v in verdict.stale),
        *((TOLERATED, v) for v in verdict.tolerated),
    ]


def as_json(outcome: Outcome) -> str:
    document: dict[str, Any] = {
        "passed": outcome.passed,
        "summary": _counts(outcome),
        "violations": [{**v.as_dict(), "status": s} for s, v in statuses(outcome)],
        "timings_ms": {
            "setup": _milliseconds(outcome.setup_timings),
            "checks": _milliseconds(outcome.check_timings),
            "total": round(outcome.total * 1000, 1),
        },
    }
    return json.dumps(document, indent=2)


def as_text(outcome: Outcome, contexts: tuple[str, ...]) -> str:
    counts = _counts(outcome)
    verdict = "passed" if outcome.passed else "FAILED"
    lines = [
        f"Architecture gate {verdict}: {counts[NEW]} new violation(s), {counts[STALE]} stale "
        f"ratchet entr{'y' if counts[STALE] == 1 else 'ies'}, {counts[TOLERATED]} tolerated "
        f"by the ratchet ({len(outcome.checks)} checks)."
    ]
    groups: dict[str, list[tuple[str, Violation]]] = defaultdict(list)
    for status, violation in statuses(outcome):
        groups[violation.context].append((status, violation))
    for owner in sorted(groups, key=lambda o: _group_order(o, contexts)):
        shown = [(s, v) for s, v in groups[owner] if s != TOLERATED]
        tolerated = len(groups[owner]) - len(shown)
        note = f" ({tolerated} tolerated by its architecture_todo.toml)" if tolerated else ""
        lines += ["", f"{owner}{note}"]
        for status, v in sorted(shown, key=lambda item: (item[1].file, item[1].line)):
            label = "stale ratchet entry" if status == STALE else v.check
            lines += [
                f"  {v.location}  [{label}]",
                f"    {v.message}",
                f"    fix: {v.hint}",
            ]
    lines += ["", "Timings"]
    for name, seconds in outcome.setup_timings.items():
        lines.append(f"  {name:<22}{seconds * 1000:8.1f} ms  (shared by the checks)")
    for name, seconds in outcome.check_timings.items():
        lines.append(f"  {name:<22}{seconds * 1000:8.1f} ms")
    lines.append(f"  {'total':<22}{outcome.total * 1000:8.1f} ms")
    return "\n".join(lines) + "\n"


def as_github(outcome: Outcome) -> str:
    """GitHub Actions workflow commands: one error annotation per new violation or stale
    entry, shown on the pull request's diff, and the summary as a notice."""
    lines = []
    for status, v in statuses(outcome):
        if status == TOLERATED:
            continue
        title = "stale ratchet entry" if status == STALE else f"contextgate {v.check}"
        text = _escape(f"{v.message} Fix: {v.hint}")
        lines.append(
            f"::error file={_escape(v.file, True)},line={v.line},title={_escape(title, True)}::"
            f"{text}"
        )
    counts = _counts(outcome)
    lines.append(
        f"::notice title=contextgate::{'passed' if outcome.passed else 'failed'}: "
        f"{counts[NEW]} new, {counts[STALE]} stale, {counts[TOLERATED]} tolerated"
    )
    return "\n".join(lines) + "\n"


def _escape(text: str, property_value: bool = False) -> str:
    """Escaped as the workflow command syntax requires (data, or a property value)."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def _counts(outcome: Outcome) -> dict[str, int]:
    v = outcome.verdict
    return {NEW: len(v.new), STALE: len(v.stale), TOLERATED: len(v.tolerated)}


def _milliseconds(timings: dict[str, float]) -> dict[str, float]:
    return {name: round(seconds * 1000, 1) for name, seconds in timings.items()}


def _group_order(owner: str, contexts: tuple[str, ...]) -> tuple[int, int, str]:
    if owner in contexts:
        return (0, contexts.index(owner), owner)
    return (2 if owner == PROJECT else 1, 0, owner)
