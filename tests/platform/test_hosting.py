"""A process hosts some contexts: only theirs are relayed, handled, scheduled and served.

In-process checks swap the topology; one subprocess starts Django as the `billing` service
of a split, since routes, admin pages and queues are fixed when a process starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.exceptions import Reject
from django.conf import settings
from django.test import override_settings
from tests.contexts import all_but, contexts_but, hosts, sample_paths

from shop.platform.events import bus, tasks
from shop.platform.events.schedule import schedule
from shop.platform.topology import Service, Topology
from shop.platform.topology.queues import events_queue, queue_problems

ROOT = Path(__file__).resolve().parents[2]
CONTEXTS = list(settings.SHOP_CONTEXTS)
SPLIT = Topology(
    services=(
        Service("shop", tuple(all_but("billing")), "http://127.0.0.1:8000"),
        Service("billing", ("billing",), "http://127.0.0.1:8001"),
    ),
    this="billing",
)


def test_each_service_has_an_events_queue_of_its_own_and_one_events_queue_when_alone():
    assert events_queue(SPLIT) == "events.billing"
    assert events_queue(SPLIT, "shop") == "events.shop"
    assert (
        events_queue(Topology(services=(Service("shop", ("identity", *CONTEXTS)),), this="shop"))
        == "events"
    )


def test_a_worker_may_consume_only_its_own_services_queues():
    assert queue_problems(SPLIT, CONTEXTS, ["events.billing", "billing"]) == []
    assert queue_problems(
        SPLIT, CONTEXTS, ["events.billing", "billing", "ordering", "events.shop"]
    ) == [
        "queue 'ordering': this service ('billing') does not host 'ordering'; "
        "service 'shop' does: its messages would find no store",
        "queue 'events.shop': another service's relays and jobs",
    ]


def test_only_hosted_stores_and_jobs_are_this_process_s_work():
    assert [s.context for s in bus.hosted_stores()] == CONTEXTS
    assert "ordering.cancel_overdue_orders" in [j.name for j in schedule.hosted()]
    with override_settings(SHOP_TOPOLOGY=SPLIT):
        assert [s.context for s in bus.hosted_stores()] == ["billing"]
        jobs = [j.name for j in schedule.hosted()]
    assert "ordering.cancel_overdue_orders" not in jobs
    assert {"events.purge", "events.redeliver"} <= set(jobs)


def test_a_message_for_a_context_hosted_elsewhere_is_sent_on_to_that_context_s_queue(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda **kw: sent.append(kw))
    envelope = {"id": "e-1", "type": "ordering.OrderPlaced", "source": "ordering"}
    with override_settings(SHOP_TOPOLOGY=SPLIT):
        assert tasks.deliver.run(envelope, "inventory") == 0
    assert sent == [{"args": (envelope, "inventory"), "queue": "inventory"}]


def test_a_message_that_cannot_be_sent_on_goes_back_unacknowledged(monkeypatch):
    def refused(**_):
        raise ConnectionError("the broker is gone")

    monkeypatch.setattr(tasks, "REQUEUE_PAUSE_SECONDS", 0)
    monkeypatch.setattr(tasks.deliver, "apply_async", refused)
    envelope = {"id": "e-1", "type": "ordering.OrderPlaced", "source": "ordering"}
    with override_settings(SHOP_TOPOLOGY=SPLIT), pytest.raises(Reject) as rejected:
        tasks.deliver.run(envelope, "inventory")
    assert rejected.value.requeue is True


BATCH = [
    {"id": f"e-{n}", "type": "ordering.OrderPlaced", "source": "ordering"} for n in range(1, 4)
]


def test_a_batch_for_a_context_hosted_elsewhere_is_sent_on_whole_as_one_message(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.deliver_batch, "apply_async", lambda **kw: sent.append(kw))
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda **kw: sent.append(kw))
    with override_settings(SHOP_TOPOLOGY=SPLIT):
        assert tasks.deliver_batch.run(BATCH, "inventory") == 0
    assert sent == [{"args": (BATCH, "inventory"), "queue": "inventory"}]


def test_a_batch_that_cannot_be_sent_on_goes_back_unacknowledged(monkeypatch):
    def refused(**_):
        raise ConnectionError("the broker is gone")

    monkeypatch.setattr(tasks, "REQUEUE_PAUSE_SECONDS", 0)
    monkeypatch.setattr(tasks.deliver_batch, "apply_async", refused)
    with override_settings(SHOP_TOPOLOGY=SPLIT), pytest.raises(Reject) as rejected:
        tasks.deliver_batch.run(BATCH, "inventory")
    assert rejected.value.requeue is True


SPLIT_FILE = f"""
[services.shop]
{hosts(all_but("billing"))}
url = "http://127.0.0.1:8000"

[services.billing]
hosts = ["billing"]
url = "http://127.0.0.1:8001"
"""

PROBE = """
import json
from django.conf import settings
from django.contrib import admin
from django.urls import Resolver404, resolve
from shop.platform.events import bus
from shop.platform.events.schedule import schedule

def routed(path):
    try:
        return resolve(path).url_name != "not-found" and resolve(path).func.__name__ != "not_found_view"
    except Resolver404:
        return False

print(json.dumps({
    "queues": settings.CELERY_WORKER_QUEUES,
    "stores": [s.context for s in bus.hosted_stores()],
    "subscribed": sorted({s.context for s in bus.subscriptions()}),
    "jobs": sorted(j.name for j in schedule.hosted()),
    "admin": sorted({m._meta.app_label for m in admin.site._registry}),
    "routes": {p: routed(p) for p in PATHS},
}))
"""


def test_the_billing_service_of_a_split_serves_and_runs_billing_only(tmp_path):
    # Every context's routes, as this process (which hosts them all) names them: there, only
    # billing's are served.
    routes = {
        "/api/v1/invoices": True,
        "/api/v1/orders": False,
        "/api/v1/products": False,
        "/api/v1/auth/token": False,
        **{path: context == "billing" for context in CONTEXTS for path in sample_paths(context)},
    }
    # Every consumer, as this process (hosting them all) knows them; in the split, shop hosts
    # inventory and ordering.
    consumers = sorted({s.context for s in bus.subscriptions()})
    assert {"billing", "inventory", "ordering"} <= set(consumers)
    topology = tmp_path / "split.toml"
    topology.write_text(SPLIT_FILE)
    env = {
        **os.environ,
        "SHOP_DEBUG": "1",
        "SHOP_DATA_DIR": str(tmp_path / "var"),
        "SHOP_TOPOLOGY": str(topology),
        "SHOP_SERVICE": "billing",
        "SHOP_EVENT_TRANSPORT": "celery",
    }
    env.pop("SHOP_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", f"PATHS = {list(routes)!r}\n{PROBE}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["queues"] == ["events.billing", "billing"]
    assert seen["stores"] == ["billing"]
    # Every consumer is known, hosted or not: a publisher here reaches all of them.
    assert seen["subscribed"] == consumers
    assert seen["jobs"] == ["events.purge", "events.redeliver"]
    assert "billing" in seen["admin"] and not set(contexts_but("billing")) & set(seen["admin"])
    assert seen["routes"] == routes

    worker = subprocess.run(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "shop.site",
            "worker",
            "-Q",
            "billing,ordering",
            "--pool",
            "solo",
        ],
        cwd=ROOT,
        env={**env, "SHOP_REDIS_URL": "redis://127.0.0.1:1/0"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert worker.returncode == 1
    assert (
        "shop: queue 'ordering': this service ('billing') does not host 'ordering'" in worker.stderr
    )


@pytest.mark.django_db(databases="__all__")
def test_status_and_metrics_name_the_service_and_what_it_hosts(client):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("events", "status", "--format", "json", stdout=out)
    document = json.loads(out.getvalue())
    assert (document["service"], document["hosts"]) == ("shop", ["identity", *CONTEXTS])
    metrics = client.get("/metrics").content.decode()
    hosted = ",".join(["identity", *CONTEXTS])
    assert f'shop_service_info{{hosts="{hosted}",service="shop"}} 1.0' in metrics


def test_one_service_alone_serves_no_internal_endpoints(tmp_path):
    env = {**os.environ, "SHOP_DEBUG": "1", "SHOP_DATA_DIR": str(tmp_path / "var")}
    for name in ("SHOP_DATABASE_URL", "SHOP_INTERNAL_SECRET", "SHOP_TOPOLOGY", "SHOP_SERVICE"):
        env.pop(name, None)
    probe = (
        "from django.test import Client\n"
        "print(Client(HTTP_HOST='127.0.0.1').post('/_internal/catalog/quote').status_code)"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip().splitlines()[-1] == "404", done.stderr
