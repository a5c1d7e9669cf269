"""The Celery app: workers consume each context's queue; beat drives the periodic work.

celery -A shop.site worker    (consumes this service's queues: settings/celery.py)
celery -A shop.site beat      (this service's sweeps and jobs)
"""

from __future__ import annotations

import os
import sys

from celery import Celery
from celery.signals import (
    celeryd_after_setup,
    task_postrun,
    task_prerun,
    worker_process_init,
    worker_ready,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.site.settings")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["shop.platform.events"])


@app.on_after_finalize.connect
def schedule_periodic_work(sender: Celery, **kwargs) -> None:
    """Beat entries: relay sweep, inbox retries, and every job the contexts declared."""
    from django.conf import settings

    from shop.platform.events.schedule import schedule
    from shop.platform.events.tasks import process_inbox, relay_outbox, relay_queue, run_job

    sweep = settings.SHOP_EVENTS["sweep_seconds"]
    options = {"queue": relay_queue(), "expires": sweep * 10}
    sender.add_periodic_task(sweep, relay_outbox.s().set(**options), name="events.relay-sweep")
    sender.add_periodic_task(sweep, process_inbox.s().set(**options), name="events.inbox-sweep")
    for job in schedule.hosted():
        sender.add_periodic_task(
            job.every_seconds, run_job.s(job.name).set(**options), name=job.name
        )


@worker_process_init.connect
def trace_worker(**kwargs) -> None:
    from shop.platform.observability import tracing

    tracing.configure(role="worker")  # this service's workers: `shop-worker`, `billing-worker`


@task_prerun.connect
@task_postrun.connect
def recycle_connections(task=None, **kwargs) -> None:
    """As around a web request: drop connections past CONN_MAX_AGE or broken, keep the rest.

    Not for a task run eagerly (`apply()`): it runs inside its caller, maybe in the
    caller's transaction, whose connection is not ours to close.
    """
    from django.db import close_old_connections

    if task is not None and task.request.is_eager:
        return
    close_old_connections()


@worker_ready.connect
def sweep_on_start(sender=None, **kwargs) -> None:
    """A restarted worker first finishes what a dead one left pending."""
    from shop.platform.events.tasks import process_inbox, relay_outbox, relay_queue

    relay_outbox.apply_async(queue=relay_queue())
    process_inbox.apply_async(queue=relay_queue())


@celeryd_after_setup.connect
def refuse_foreign_queues(sender=None, instance=None, **kwargs) -> None:
    """A worker told to consume a queue of a context this service does not host (or
    another service's events queue) would take messages it cannot store: it exits."""
    from django.conf import settings

    from shop.platform.topology import current
    from shop.platform.topology.queues import queue_problems

    queues = instance.app.amqp.queues.consume_from or instance.app.amqp.queues
    problems = queue_problems(current(), settings.SHOP_CONTEXTS, list(queues))
    if problems:
        for line in problems:
            print(f"shop: {line}", file=sys.stderr)  # noqa: T201 - before logging is set up
        raise SystemExit(1)
