"""Pair the two sides' records by request id and say whether the shadow answered the same.

A request counts as:
- matched: the primary's and the shadow's records have the same digest (status and
  normalised body);
- mismatched: both recorded it, with different digests;
- shadow missing: only the primary recorded it (the mirror timed out, failed, or was
  never sent); it is not a match;
- primary only is impossible through the proxy; a shadow record without a primary one is
  counted apart (`unpaired shadow`) and never decides anything.

The verdict is "go" when at least one request was compared and every primary record has
a matching shadow record; anything else is "no-go", with the reason.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Record:
    request_id: str
    role: str
    service: str
    path: str
    status: int
    digest: str
    body: object

    @classmethod
    def of(cls, line: dict) -> Record:
        return cls(
            request_id=line["request_id"],
            role=line["role"],
            service=line["service"],
            path=line["path"],
            status=line["status"],
            digest=line["digest"],
            body=line.get("body"),
        )


@dataclass(frozen=True)
class Mismatch:
    primary: Record
    shadow: Record

    def diff(self) -> list[str]:
        def lines(record: Record) -> list[str]:
            return [f"status {record.status}", *pretty(record.body).splitlines()]

        return list(
            difflib.unified_diff(
                lines(self.primary),
                lines(self.shadow),
                f"primary ({self.primary.service})",
                f"shadow ({self.shadow.service})",
                lineterm="",
            )
        )


@dataclass
class Report:
    matched: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)
    shadow_missing: list[Record] = field(default_factory=list)
    unpaired_shadow: list[Record] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    @property
    def compared(self) -> int:
        return self.matched + len(self.mismatches) + len(self.shadow_missing)

    @property
    def go(self) -> bool:
        return self.compared > 0 and self.matched == self.compared

    def verdict(self) -> str:
        if self.go:
            return f"go: all {self.compared} shadowed requests matched"
        if not self.compared:
            return "no-go: no shadowed request was recorded"
        reasons = []
        if self.mismatches:
            reasons.append(f"{len(self.mismatches)} mismatched")
        if self.shadow_missing:
            reasons.append(f"{len(self.shadow_missing)} without a shadow answer")
        return f"no-go: {', '.join(reasons)} of {self.compared}"

    def as_dict(self) -> dict:
        return {
            "compared": self.compared,
            "matched": self.matched,
            "mismatched": len(self.mismatches),
            "shadow_missing": len(self.shadow_missing),
            "unpaired_shadow": len(self.unpaired_shadow),
            "unreadable_lines": len(self.unreadable),
            "go": self.go,
            "verdict": self.verdict(),
            "mismatches": [
                {
                    "request_id": m.primary.request_id,
                    "path": m.primary.path,
                    "primary": {
                        "service": m.primary.service,
                        "status": m.primary.status,
                        "body": m.primary.body,
                    },
                    "shadow": {
                        "service": m.shadow.service,
                        "status": m.shadow.status,
                        "body": m.shadow.body,
                    },
                }
                for m in self.mismatches
            ],
            "shadow_missing_request_ids": [r.request_id for r in self.shadow_missing],
        }


def records_in(directory: Path) -> Iterator[dict | str]:
    """Every line of every `*.jsonl` in `directory`: a dict, or the raw line if unreadable."""
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8", errors="replace") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except ValueError:
                    yield f"{path.name}:{number}"


def compare(lines: Iterable[dict | str]) -> Report:
    report = Report()
    primaries: dict[str, Record] = {}
    shadows: dict[str, Record] = {}
    for line in lines:
        if isinstance(line, str):
            report.unreadable.append(line)
            continue
        try:
            record = Record.of(line)
        except (KeyError, TypeError):
            report.unreadable.append(json.dumps(line)[:80])
            continue
        (shadows if record.role == "shadow" else primaries)[record.request_id] = record
    for request_id, primary in primaries.items():
        shadow = shadows.pop(request_id, None)
        if shadow is None:
            report.shadow_missing.append(primary)
        elif shadow.digest == primary.digest:
            report.matched += 1
        else:
            report.mismatches.append(Mismatch(primary, shadow))
    report.unpaired_shadow = list(shadows.values())
    return report


def pretty(body: object) -> str:
    if body is None:
        return "(body too large to keep; compared by digest)"
    if isinstance(body, str):
        return body
    return json.dumps(body, indent=2, sort_keys=True)
