"""Which stores this process knows have event work now: no polling of idle stores.

An outbox is marked when a transaction that published to it commits (`nudge`); an inbox
when the inline transport has just written rows into it. The inline worker works only
the marked stores, until none is left, and looks at every store (the sweep) only every
`sweep_seconds`: for what this process cannot know (another process's commit, a crashed
process's rows, a retry whose backoff is over, an operator's retry).
"""

from __future__ import annotations

import threading


class KnownWork:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._outboxes: set[str] = set()
        self._inboxes: set[str] = set()

    def outbox(self, context: str) -> None:
        with self._lock:
            self._outboxes.add(context)

    def inbox(self, context: str) -> None:
        with self._lock:
            self._inboxes.add(context)

    def take_outboxes(self) -> set[str]:
        with self._lock:
            taken, self._outboxes = self._outboxes, set()
        return taken

    def take_inboxes(self) -> set[str]:
        with self._lock:
            taken, self._inboxes = self._inboxes, set()
        return taken


known = KnownWork()
