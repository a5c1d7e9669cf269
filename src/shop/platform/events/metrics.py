"""The event bus's health for Prometheus: outbox backlog and age, inbox pending, dead, parked.

Read from each hosted context's store when Prometheus scrapes, so the figures are true for
every process at once; the same `operations.status` feeds `manage.py events status`.
"""

from __future__ import annotations

from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily

from shop.platform import topology
from shop.platform.events import operations
from shop.platform.events.bus import bus


class EventBusCollector:
    def collect(self):
        pending = GaugeMetricFamily(
            "shop_outbox_pending", "Outbox events not yet dispatched.", labels=["context"]
        )
        age = GaugeMetricFamily(
            "shop_outbox_oldest_pending_seconds",
            "Age of the oldest undispatched outbox event.",
            labels=["context"],
        )
        dead = GaugeMetricFamily(
            "shop_inbox_dead",
            "Inbox rows parked dead after their last attempt.",
            labels=["context"],
        )
        inbox_pending = GaugeMetricFamily(
            "shop_inbox_pending", "Inbox rows waiting to be handled.", labels=["context"]
        )
        parked = GaugeMetricFamily(
            "shop_inbox_parked",
            "Inbox rows parked for an operator: undecodable, or of a type nobody here handles.",
            labels=["context"],
        )
        now = timezone.now()
        for store in bus.hosted_stores():
            status = operations.status(store)
            oldest = status.outbox_oldest_pending
            pending.add_metric([store.context], status.outbox_pending)
            age.add_metric([store.context], (now - oldest).total_seconds() if oldest else 0.0)
            dead.add_metric([store.context], status.inbox_dead)
            inbox_pending.add_metric([store.context], status.inbox_pending)
            parked.add_metric([store.context], status.inbox_parked)
        here = topology.current()
        service = InfoMetricFamily("shop_service", "This process's service and what it hosts.")
        service.add_metric([], {"service": here.this, "hosts": ",".join(here.service.hosts)})
        yield from (service, pending, age, dead, inbox_pending, parked)
