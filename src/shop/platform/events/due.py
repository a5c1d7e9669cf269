"""An inbox row taken for handling: the columns running it needs, not a model instance.

A batch reads hundreds of rows; building a model instance for each (every timestamp
parsed, every field set) cost a fifth of a web process's time under load. A DueRow holds
what the runner, the retry budgets and the logs read, and is written back by its id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shop.platform.events.bus import Store

# The columns read, in DueRow's order (after them: the annotated `first_pending`).
COLUMNS = (
    "id",
    "handler",
    "source",
    "subject",
    "sequence",
    "envelope",
    "status",
    "attempts",
    "last_error",
    "next_attempt_at",
    "failing_since",
)


@dataclass(slots=True, eq=False)
class DueRow:
    id: int
    handler: str
    source: str
    subject: str
    sequence: int
    envelope: dict[str, Any]
    status: str
    attempts: int
    last_error: str
    next_attempt_at: datetime
    failing_since: datetime | None
    first_pending: int | None  # lowest pending sequence of its handler and aggregate
    store: Store

    @property
    def context(self) -> str:
        return self.store.context


def taken(store: Store, rows) -> list[DueRow]:
    """DueRows of a queryset of inbox rows annotated with `first_pending`."""
    return [DueRow(*values, store) for values in rows.values_list(*COLUMNS, "first_pending")]
