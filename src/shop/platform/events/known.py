"""Which stores this process knows have event work now: no polling of idle stores.

An outbox is marked when a transaction that published to it commits (`nudge`); an inbox
when the inline transport has just written rows into it. The inline worker works only
the marked stores, until none is left, and looks at every store (the sweep) only every
`sweep_seconds`: for what this process cannot know (another process's commit, a crashed
process's rows, a retry whose backoff is over, an operator's retry).
"""

from __future__ import annotations

import threading


class Marked:
    """Contexts marked as having work, taken all at once by the worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._contexts: set[str] = set()

    def mark(self, context: str) -> None:
        with self._lock:
            self._contexts.add(context)

    def take(self) -> set[str]:
        with self._lock:
            taken, self._contexts = self._contexts, set()
        return taken


outboxes = Marked()  # committed to: to relay
inboxes = Marked()  # just written into by the inline transport: to handle
