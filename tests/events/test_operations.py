"""What operators use: `manage.py events status | retry | purge`, and the admin pages."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from shop.platform.events import bus
from shop.platform.events.models import InboxStatus
from shop.platform.events.worker import drain

from .conftest import bump, count

pytestmark = pytest.mark.django_db(databases="__all__")


def run(*args: str) -> str:
    out = StringIO()
    try:
        call_command("events", *args, stdout=out)
    except CommandError as error:
        if error.returncode != 3:  # `events status` with dead rows: the table is printed
            raise
    return out.getvalue()


def status_line(output: str, context: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.startswith(context))


def test_status_counts_pending_and_dead_per_context(subscriptions, emit, fast_retries, eventually):
    def when_catalog_probe_happened_fail(event):
        raise RuntimeError("always")

    subscriptions(when_catalog_probe_happened_fail)
    emit("K-1")
    emit("K-2")
    assert status_line(run("status"), "catalog")[1] == "2"  # two events not yet relayed

    def both_dead():
        drain()
        assert bus.store_of("inventory").inbox.objects.filter(status=InboxStatus.DEAD).count() == 2

    eventually(both_dead)
    catalog, inventory = (
        status_line(run("status"), "catalog"),
        status_line(run("status"), "inventory"),
    )
    assert catalog[1] == "0"
    assert (inventory[2], inventory[3]) == ("0", "2")  # nothing pending, two dead


def test_retry_needs_an_event_id_or_dead():
    with pytest.raises(CommandError, match="--dead"):
        run("retry")


def test_retry_by_event_id_redrives_only_that_event(subscriptions, emit, fast_retries, eventually):
    broken = {"yes": True}

    def when_catalog_probe_happened_flaky(event):
        if broken["yes"]:
            raise RuntimeError("broken")
        bump(f"DONE-{event.key}")

    subscriptions(when_catalog_probe_happened_flaky)
    first, _second = emit("K-1"), emit("K-2")
    inbox = bus.store_of("inventory").inbox.objects

    def both_dead():
        drain()
        assert inbox.filter(status=InboxStatus.DEAD).count() == 2

    eventually(both_dead)
    broken["yes"] = False
    assert "1 inbox rows are due again" in run("retry", first["id"])
    drain()
    assert (count("DONE-K-1"), count("DONE-K-2")) == (1, 0)
    assert inbox.filter(status=InboxStatus.DEAD).count() == 1


def test_purge_deletes_only_done_rows_older_than_the_cutoff(
    subscriptions, emit, fast_retries, eventually
):
    def when_catalog_probe_happened_bump(event):
        bump("APPLIED")

    subscriptions(when_catalog_probe_happened_bump)
    emit("K-1")
    drain()
    emit("K-2")  # stays pending: not relayed yet
    outbox = bus.store_of("catalog").outbox.objects
    inbox = bus.store_of("inventory").inbox.objects
    long_ago = timezone.now() - timedelta(days=30)
    outbox.filter(dispatched_at__isnull=False).update(dispatched_at=long_ago)
    inbox.update(done_at=long_ago)

    output = run("purge", "--older-than", "7d")

    assert "catalog: 1 rows purged" in output and "inventory: 1 rows purged" in output
    assert list(outbox.values_list("subject", flat=True)) == ["K-2"]
    assert inbox.count() == 0
    emit("K-1")  # the aggregate's numbering survives the purge
    assert outbox.get(subject="K-1").sequence == 2


def test_purge_refuses_an_age_it_cannot_read():
    with pytest.raises(CommandError, match="not an age"):
        run("purge", "--older-than", "a week")


def test_staff_see_outbox_and_inbox_in_the_admin_and_can_retry_dead_rows(
    client, subscriptions, emit, fast_retries, eventually
):
    def when_catalog_probe_happened_fail(event):
        raise RuntimeError("always")

    subscriptions(when_catalog_probe_happened_fail)
    emit("K-1")
    inbox = bus.store_of("inventory").inbox.objects

    def dead():
        drain()
        assert inbox.get().status == InboxStatus.DEAD

    eventually(dead)
    admin = get_user_model().objects.create_superuser("root", password=None)
    client.force_login(admin)
    assert client.get("/admin/catalog/outboxmessage/").status_code == 200
    page = client.get("/admin/inventory/inboxmessage/")
    assert page.status_code == 200 and b"when_catalog_probe_happened_fail" in page.content
    assert client.get("/admin/inventory/inboxmessage/add/").status_code == 403

    response = client.post(
        "/admin/inventory/inboxmessage/",
        {"action": "retry_rows", "_selected_action": [inbox.get().pk]},
    )
    assert response.status_code == 302
    assert inbox.get().status == InboxStatus.PENDING
