"""The Celery app: workers consume each context's queue; beat drives the periodic work.

celery -A shop.site worker -Q events,catalog,inventory,ordering,billing
celery -A shop.site beat
"""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.site.settings")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["shop.platform.events"])


@app.on_after_finalize.connect
def schedule_periodic_work(sender: Celery, **kwargs) -> None:
    """Beat entries: relay sweep, inbox retries, and every job the contexts declared."""
    from django.conf import settings

    from shop.platform.events.schedule import schedule
    from shop.platform.events.tasks import RELAY_QUEUE, process_inbox, relay_outbox, run_job

    sweep = settings.SHOP_EVENTS["sweep_seconds"]
    options = {"queue": RELAY_QUEUE, "expires": sweep * 10}
    sender.add_periodic_task(sweep, relay_outbox.s().set(**options), name="events.relay-sweep")
    sender.add_periodic_task(sweep, process_inbox.s().set(**options), name="events.inbox-sweep")
    for job in schedule.jobs.values():
        sender.add_periodic_task(
            job.every_seconds, run_job.s(job.name).set(**options), name=job.name
        )


@worker_process_init.connect
def trace_worker(**kwargs) -> None:
    from shop.platform.observability import tracing

    tracing.configure("shop-worker")


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
    from shop.platform.events.tasks import RELAY_QUEUE, process_inbox, relay_outbox

    relay_outbox.apply_async(queue=RELAY_QUEUE)
    process_inbox.apply_async(queue=RELAY_QUEUE)
