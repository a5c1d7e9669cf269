"""An inbox row taken for handling: the columns running it needs, not a model instance.

A batch reads hundreds of rows; building a model instance for each (every timestamp
parsed, every field set) cost a fifth of a web process's time under load. A DueRow holds
what the runner, the retry budgets and the logs read, and is written back by its id. Its
envelope is read as text and decoded only when something asks for it: a row waiting its
turn, or left for the next batch, is never decoded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast

from shop.platform.events.bus import Store

# The columns read, in DueRow's order (after them: the annotated `first_pending`).
COLUMNS = (
    "id",
    "handler",
    "source",
    "subject",
    "sequence",
    "envelope_text",
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
    envelope_text: str
    status: str
    attempts: int
    last_error: str
    next_attempt_at: datetime
    failing_since: datetime | None
    first_pending: int | None  # lowest pending sequence of its handler and aggregate
    store: Store
    _envelope: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def context(self) -> str:
        return self.store.context

    @property
    def envelope(self) -> dict[str, Any]:
        if self._envelope is None:
            self._envelope = json.loads(self.envelope_text)
        return self._envelope


def taken(store: Store, rows) -> list[DueRow]:
    """DueRows of a queryset of inbox rows annotated with `first_pending`."""
    rows = rows.annotate(envelope_text=Cast("envelope", TextField()))
    return [DueRow(*values, store) for values in rows.values_list(*COLUMNS, "first_pending")]
