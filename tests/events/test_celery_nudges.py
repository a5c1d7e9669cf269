"""Nudges queued while the Celery nudger was busy go as one relay task per context."""

from __future__ import annotations

import time

from shop.platform.events import tasks, worker


def test_a_burst_of_nudges_is_one_relay_task_per_context(monkeypatch):
    sent = []
    monkeypatch.setattr(
        tasks.relay_outbox, "apply_async", lambda args, **options: sent.append(args[0])
    )
    nudger = worker.CeleryNudger()
    for context in ["ordering", "billing", "ordering", "inventory", "ordering", "billing"]:
        nudger.send(context)
    nudger.start()
    deadline = time.monotonic() + 5
    while len(sent) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)  # nothing more comes
    assert sorted(sent) == ["billing", "inventory", "ordering"]


def test_a_nudge_for_every_store_covers_the_others_queued_with_it(monkeypatch):
    sent = []
    monkeypatch.setattr(
        tasks.relay_outbox, "apply_async", lambda args, **options: sent.append(args[0])
    )
    nudger = worker.CeleryNudger()
    for context in ["ordering", None, "billing"]:
        nudger.send(context)
    nudger.start()
    deadline = time.monotonic() + 5
    while not sent and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    assert sent == [None]
