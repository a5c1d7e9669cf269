"""Every event-bus log line is structured, and a search by correlation id finds it.

Lines are read as the JSON formatter writes them. The inbox's lines about a row
(failed on, waits on, parked dead, parked) carry the event's id, type and
correlation id, the context and the handler; the relay's lines about a batch carry
every event id and correlation id in it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import override_settings

from shop.platform.events import RetryLater, Unavailable, bus
from shop.platform.events.models import InboxStatus
from shop.platform.events.relay import relay
from shop.platform.events.transports import TRANSPORTS
from shop.platform.events.worker import drain

from .conftest import FAST_RETRIES

pytestmark = pytest.mark.django_db(databases="__all__")

EVENTS = Path(__file__).resolve().parents[2] / "src" / "shop" / "platform" / "events"
ROW_FIELDS = {"event_id", "event_type", "event_source", "context", "handler", "correlation_id"}


def story(lines: list[dict], correlation_id: str) -> list[dict]:
    """What `jq 'select(.correlation_id == $id)'` finds."""
    return [line for line in lines if line.get("correlation_id") == correlation_id]


def inbox_lines(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "shop.platform.events.inbox"]


def assert_about(line: dict, envelope: dict, handler: str) -> None:
    assert ROW_FIELDS <= set(line), line
    assert line["event_id"] == envelope["id"]
    assert line["event_type"] == "catalog.ProbeHappened"
    assert line["event_source"] == "catalog"
    assert line["context"] == "inventory"
    assert line["handler"] == handler
    assert line["correlation_id"] == envelope["correlationid"]


def test_failed_on_and_parked_dead_lines_carry_the_row_and_its_correlation_id(
    subscriptions, emit, fast_retries, eventually, log_lines
):
    def when_catalog_probe_happened_fail(event):
        raise RuntimeError("a bug")

    handler = subscriptions(when_catalog_probe_happened_fail)
    envelope = emit("K-1")

    def dead():
        drain()
        assert bus.store_of("inventory").inbox.objects.get().status == InboxStatus.DEAD

    eventually(dead)

    found = inbox_lines(story(log_lines(), envelope["correlationid"]))
    events = [line["event"] for line in found]
    assert events == ["handler failed on event"] * 3 + ["handler parked event dead"]
    for attempt, line in enumerate(found, start=1):
        assert_about(line, envelope, handler)
        assert (line["attempts"], line["error"]) == (attempt, "RuntimeError: a bug")
    assert [line["level"] for line in found] == ["warning"] * 3 + ["error"]
    assert found[-1]["budget"] == "the attempts budget ran out (SHOP_EVENTS_MAX_ATTEMPTS=4)"


@pytest.mark.parametrize(
    ("error", "event", "level"),
    [
        (RetryLater, "handler waits on event", "info"),
        (Unavailable, "handler waits on an unavailable service", "warning"),
    ],
)
def test_waits_on_lines_carry_the_row_and_its_correlation_id(
    error, event, level, subscriptions, emit, fast_retries, log_lines
):
    def when_catalog_probe_happened_wait(event):
        raise error("not yet")

    handler = subscriptions(when_catalog_probe_happened_wait)
    envelope = emit("K-1")
    drain()

    line = inbox_lines(story(log_lines(), envelope["correlationid"]))[0]
    assert (line["event"], line["level"], line["attempts"]) == (event, level, 1)
    assert_about(line, envelope, handler)
    assert line["retry_at"]


def test_a_parked_row_is_logged_with_its_event(subscriptions, emit, fast_retries, log_lines):
    def when_catalog_probe_happened_fine(event):
        pass

    handler = subscriptions(when_catalog_probe_happened_fine)
    envelope = emit("K-1")
    relay(bus.store_of("catalog"))
    bus.store_of("inventory").inbox.objects.update(envelope={**envelope, "data": "garbage"})
    drain()

    (line,) = [
        line
        for line in story(log_lines(), envelope["correlationid"])
        if line["event"] == "parked event"
    ]
    assert_about(line, envelope, handler)
    assert line["reason"].startswith("cannot decode")


class Down:
    def send_batch(self, batch) -> None:
        raise ConnectionError("broker down")


def test_a_failed_relay_names_every_event_and_correlation_id_of_its_batch(
    subscriptions, emit, log_lines, monkeypatch
):
    def when_catalog_probe_happened_do_nothing(event):
        pass

    subscriptions(when_catalog_probe_happened_do_nothing)  # else the events have nowhere to go
    monkeypatch.setitem(TRANSPORTS, "inline", Down())
    first, second = emit("K-1"), emit("K-2")

    with override_settings(SHOP_EVENTS=FAST_RETRIES):
        assert relay(bus.store_of("catalog")) == 0

    (line,) = [line for line in log_lines() if line["event"] == "relay failed"]
    assert line["context"] == "catalog"
    assert sorted(line["event_ids"]) == sorted([first["id"], second["id"]])
    assert line["correlation_ids"] == sorted({first["correlationid"], second["correlationid"]})
    assert line["event_types"] == ["catalog.ProbeHappened"]
    assert (line["events"], line["attempts"]) == (2, 1)
    assert line["error"] == "ConnectionError: broker down"


def test_no_event_bus_log_call_formats_its_message():
    """One constant message and keyword fields: never %-arguments or an f-string message."""
    formatted = []
    for path in sorted(EVENTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "log"
            ):
                continue
            message = node.args[1:2] if node.func.attr == "log" else node.args[:1]
            extra = node.args[2:] if node.func.attr == "log" else node.args[1:]
            if extra or any(isinstance(arg, ast.JoinedStr) for arg in message):
                formatted.append(f"{path.name}:{node.lineno}")
    assert formatted == []
    for path in sorted(EVENTS.glob("*.py")):
        assert "logging.getLogger" not in path.read_text(), path.name
