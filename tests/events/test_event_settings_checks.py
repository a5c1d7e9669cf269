"""System checks refuse event settings that would break the bus's promises at start-up."""

from __future__ import annotations

from django.test import override_settings

from shop.platform.events.checks import check_event_settings


def ids(**events) -> list[str]:
    with override_settings(SHOP_EVENTS=events):
        return [message.id for message in check_event_settings(None)]


def test_the_defaults_pass():
    assert ids() == []
    assert ids(transport="celery") == []


def test_an_unknown_transport_is_refused():
    assert ids(transport="carrier-pigeon") == ["shop.E002"]


def test_retention_shorter_than_redelivery_looks_back_is_refused_with_celery():
    # A done inbox row purged before redelivery asks for it: the event would run twice.
    assert ids(transport="celery", retention_days=1) == ["shop.E003"]
    assert ids(transport="celery", retention_days=2) == []
    assert ids(transport="inline", retention_days=1) == []  # nothing is redelivered


def test_a_not_yet_budget_shorter_than_redelivery_is_warned_about_with_celery():
    # A handler waiting for an event Redis lost would go dead before redelivery sends it.
    assert ids(transport="celery", not_yet_seconds=600) == ["shop.W001"]
    assert ids(transport="celery", not_yet_seconds=601) == []
    assert ids(transport="inline", not_yet_seconds=60) == []  # nothing is lost after dispatch
