"""The broker settings the celery transport's guarantees rest on (see docs/operations.md)."""

from __future__ import annotations

from django.conf import settings

from shop.site.celery import app


def test_tasks_are_acknowledged_late_and_requeued_when_their_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_the_visibility_timeout_outlasts_the_longest_retry_delay():
    options = app.conf.broker_transport_options
    assert options["visibility_timeout"] > settings.SHOP_EVENTS["backoff_max_seconds"]


def test_workers_look_for_a_dead_workers_messages_well_within_the_visibility_timeout():
    # kombu scans every interval x throttle seconds (10 x 10 by default): left alone, a
    # message a killed worker held could wait 100 s beyond the visibility timeout.
    options = app.conf.broker_transport_options
    scan_every = options["unacked_restore_interval"] * options["unacked_restore_throttle"]
    assert scan_every <= max(1.0, options["visibility_timeout"] / 4)
    assert scan_every <= 10


def test_a_worker_killed_while_scanning_blocks_the_scans_of_others_briefly():
    # The scan's lock in Redis outlives a SIGKILLed holder until it expires (kombu: 300 s).
    options = app.conf.broker_transport_options
    assert options["unacked_mutex_expire"] <= 60
    assert options["unacked_mutex_expire"] <= max(5, options["visibility_timeout"] / 4)
