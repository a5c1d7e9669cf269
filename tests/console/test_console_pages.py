"""The operator console's pages through Django's test client: what they show, to whom, and
what they refuse (tests/browser drives the same pages in Chromium over a real saga)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client, override_settings
from django.urls import reverse
from tests.contexts import all_but

from shop.platform.console import expectations
from shop.platform.events import bus
from shop.platform.events.models import InboxStatus
from shop.platform.topology import Service, Topology

from .conftest import CHARGE, MOMENT, order, published, received

pytestmark = pytest.mark.django_db(databases="__all__")

# Service shop of the sample split: every context but billing, which service billing hosts.
SPLIT = Topology(
    services=(
        Service("shop", tuple(all_but("billing")), "http://127.0.0.1:8000"),
        Service("billing", ("billing",), "http://127.0.0.1:8001"),
    ),
    this="shop",
)


def timeline_url(subject: str) -> str:
    return reverse("admin:console_timeline", args=[subject])


def retry_url(context: str, row_id) -> str:
    return reverse("admin:console_retry", args=[context, row_id])


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The page's words without its markup, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html(response))).split())


def charge_row(row_id: int):
    store = bus.store_of("billing")
    return store.inbox.objects.using(store.alias).get(id=row_id)


# Who may look.


@pytest.mark.parametrize(
    "page",
    [
        lambda story: timeline_url(story.order_id),
        lambda story: reverse("admin:console_events"),
        lambda story: reverse("admin:console_search") + f"?q={story.order_id}",
        lambda story: retry_url("billing", story.dead_row),
    ],
    ids=["timeline", "overview", "search", "retry"],
)
def test_anyone_but_staff_is_sent_to_the_admin_sign_in(client, story, page):
    url = page(story)
    assert client.get(url).status_code == 302
    customer = get_user_model().objects.create_user("alice", password=None)
    client.force_login(customer)

    answer = client.get(url)

    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("admin:login"))
    assert client.post(url, {"confirm": "on"}).status_code == 302
    assert charge_row(story.dead_row).status == InboxStatus.DEAD


# The timeline.


def test_the_timeline_shows_each_event_in_time_order_with_its_outbox_and_handler_rows(staff, story):
    page = staff.get(timeline_url(story.order_id))

    assert page.status_code == 200
    body = html(page)
    placed, reserved = (
        body.index(f'id="event-{story.placed["id"]}"'),
        body.index(f'id="event-{story.reserved["id"]}"'),
    )
    assert placed < reserved
    words = text(page)
    assert "ordering.OrderPlaced from ordering, #1" in words
    assert "inventory.StockReserved from inventory, #1" in words
    assert "2026-11-23 17:50:56.000000 UTC" in words  # published, to the microsecond
    for handler in (
        "inventory.when_ordering_order_placed_reserve_stock",
        "billing.when_ordering_order_placed_issue_invoice",
        "ordering.when_inventory_stock_reserved_await_payment",
    ):
        assert f'data-handler="{handler}" data-status="done"' in body
    assert f'data-handler="{CHARGE}" data-status="dead"' in body
    assert "the unavailable budget ran out" in words
    # StockReserved names OrderPlaced as its cause, and links to it on the page.
    assert f'href="#event-{story.placed["id"]}">that event</a>' in body
    assert "itself: the first event of its story" in words


def test_the_timeline_says_what_the_saga_waits_for_and_what_waits_for_an_operator(staff, story):
    words = text(staff.get(timeline_url(story.order_id)))

    assert (
        "ordering : the order is awaiting payment: waiting for billing's charge "
        "(billing.PaymentCaptured or billing.PaymentFailed)" in words
    )
    assert f"Waiting for an operator: {CHARGE} is dead on inventory.StockReserved" in words
    assert "Retry…" in words


def test_a_pending_order_waits_for_inventory_since_it_was_placed_and_a_confirmed_one_for_nothing(
    staff,
):
    pending = order("pending")
    published("ordering.OrderPlaced", pending, dispatched=False)
    confirmed = order("confirmed")
    body = published("ordering.OrderPlaced", confirmed)
    for handler in (
        "inventory.when_ordering_order_placed_reserve_stock",
        "billing.when_ordering_order_placed_issue_invoice",
    ):
        received(body, handler)

    words = text(staff.get(timeline_url(pending)))
    assert (
        "the order is pending: waiting for inventory to hold its stock (inventory.StockReserved "
        "or inventory.StockReservationFailed)" in words
    )
    assert "since 2026-11-23 17:50:56.000000 UTC" in words  # placed_at
    assert "Waiting for the relay to dispatch ordering.OrderPlaced from ordering's outbox" in words
    assert "no row yet: the event is not dispatched" in words

    page = staff.get(timeline_url(confirmed))
    assert 'id="nothing-waits"' in html(page)


def test_ids_link_to_the_log_search_when_it_is_configured_and_name_the_field_to_grep_otherwise(
    staff, story
):
    correlation = story.placed["correlationid"]
    plain = html(staff.get(timeline_url(story.order_id)))
    assert (
        f'<code class="copyable" title="grep the JSON log lines for &quot;correlation_id&quot;: &quot;{correlation}&quot;">{correlation}</code>'
        in plain
    )
    assert "<code>correlation_id</code>" in plain

    with override_settings(SHOP_LOG_SEARCH_URL="https://logs.example/search?q={field}%3D{value}"):
        linked = html(staff.get(timeline_url(story.order_id)))
    assert f'href="https://logs.example/search?q=correlation_id%3D{correlation}"' in linked
    assert f'href="https://logs.example/search?q=event_id%3D{story.placed["id"]}"' in linked

    with override_settings(SHOP_LOG_SEARCH_URL="https://logs.example/?cid={correlation_id}"):
        linked = html(staff.get(timeline_url(story.order_id)))
    assert f'href="https://logs.example/?cid={correlation}"' in linked


@pytest.mark.parametrize(
    "subject", ["not an id", "<script>", "x" * 65, "order;drop", "%00"], ids=repr
)
def test_a_malformed_subject_gets_a_400_page_saying_what_an_id_is(staff, subject):
    page = staff.get(timeline_url(subject))

    assert page.status_code == 400
    assert "is not an aggregate id: an order id, a SKU or another event subject is 1 to 64" in text(
        page
    )


def test_an_unknown_subject_finds_nothing(staff):
    page = staff.get(timeline_url(str(uuid.uuid4())))

    assert page.status_code == 404
    assert "Nothing found for" in text(page)


def test_in_a_split_the_page_shows_the_hosted_contexts_rows_and_names_who_hosts_the_others(
    staff, story
):
    with override_settings(SHOP_TOPOLOGY=SPLIT):
        page = staff.get(timeline_url(story.order_id))
        refused = staff.get(retry_url("billing", story.dead_row))

    assert page.status_code == 200
    words = text(page)
    assert (
        "This is service shop ; it hosts catalog, inventory, ordering, and only their rows" in words
    )
    assert (
        "billing is hosted by service billing : its outbox and inbox rows are not shown here "
        "(the admin is served only where identity is: on billing, manage.py events status and "
        "events retry EVENT_ID read and retry them)." in words
    )
    assert f'data-handler="{CHARGE}" data-status="elsewhere"' in html(page)
    assert "hosted by service billing: its row is there" in words
    assert "the unavailable budget ran out" not in words  # billing's row is not read
    assert refused.status_code == 409
    assert "billing is hosted by service billing, not by this one (shop)" in text(refused)


def test_the_saga_s_expectation_is_ordering_s_own_registration():
    assert "ordering" in expectations.contexts()
    assert expectations.expected("MUG-CLASSIC") == []  # not an order id: ordering says None


# The search box.


def test_an_order_id_an_event_id_and_a_correlation_id_each_lead_to_the_timeline(staff, story):
    search = reverse("admin:console_search")

    by_order = staff.get(search, {"q": story.order_id})
    by_event = staff.get(search, {"q": story.reserved["id"]})
    by_correlation = staff.get(search, {"q": f"  {story.placed['correlationid']} "})

    assert by_order["Location"] == timeline_url(story.order_id)
    assert by_event["Location"] == f"{timeline_url(story.order_id)}#event-{story.reserved['id']}"
    assert by_correlation["Location"] == timeline_url(story.order_id)


def test_a_correlation_of_several_subjects_lists_them(staff, story):
    other = order("pending")
    published("ordering.OrderPlaced", other, correlation=story.placed["correlationid"])

    page = staff.get(reverse("admin:console_search"), {"q": story.placed["correlationid"]})

    assert page.status_code == 200
    assert f'href="{timeline_url(story.order_id)}"' in html(page)
    assert f'href="{timeline_url(other)}"' in html(page)


def test_a_malformed_search_is_a_form_error_and_an_unknown_one_finds_nothing(staff):
    search = reverse("admin:console_search")

    malformed = staff.get(search, {"q": "' OR 1=1 --"})
    unknown = staff.get(search, {"q": str(uuid.uuid4())})

    assert malformed.status_code == 400
    assert 'id="search-error"' in html(malformed)
    assert "is not an order id, event id or correlation id" in text(malformed)
    assert unknown.status_code == 404
    assert "Nothing found for" in text(unknown)


# Retrying a dead row.


def test_retry_asks_for_confirmation_and_refuses_a_post_without_it(staff, story):
    confirm = staff.get(retry_url("billing", story.dead_row))
    assert confirm.status_code == 200
    assert 'name="confirm"' in html(confirm) and "csrfmiddlewaretoken" in html(confirm)

    unconfirmed = staff.post(retry_url("billing", story.dead_row), {})

    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm the retry; nothing was retried." in text(unconfirmed)
    assert charge_row(story.dead_row).status == InboxStatus.DEAD


def test_retry_refuses_a_post_without_the_csrf_token(story):
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.create_superuser("root", password=None))

    answer = client.post(retry_url("billing", story.dead_row), {"confirm": "on"})

    assert answer.status_code == 403
    assert charge_row(story.dead_row).status == InboxStatus.DEAD


def test_a_confirmed_retry_makes_the_row_due_logs_who_did_it_and_returns_to_the_timeline(
    staff, story, log_lines
):
    answer = staff.post(retry_url("billing", story.dead_row), {"confirm": "on"}, follow=True)

    row = charge_row(story.dead_row)
    assert (row.status, row.attempts, row.failing_since) == (InboxStatus.PENDING, 0, None)
    assert answer.redirect_chain == [
        (f"{timeline_url(story.order_id)}#event-{story.reserved['id']}", 302)
    ]
    assert f"Retried: {CHARGE} on inventory.StockReserved is due again" in text(answer)
    [line] = [line for line in log_lines() if line["event"] == "operator retried an inbox row"]
    assert (line["operator"], line["event_id"], line["handler"], line["context"]) == (
        "operator",
        story.reserved["id"],
        CHARGE,
        "billing",
    )
    assert line["correlation_id"] == story.reserved["correlationid"]
    entry = LogEntry.objects.get()
    assert (entry.user.username, entry.action_flag, entry.object_id) == (
        "operator",
        CHANGE,
        str(story.dead_row),
    )
    assert "Retried from the timeline of" in entry.change_message


def test_retry_needs_the_permission_to_change_that_context_s_inbox(client, story):
    user = get_user_model().objects.create_user("clerk", password=None, is_staff=True)
    client.force_login(user)
    assert client.get(timeline_url(story.order_id)).status_code == 200  # staff may look
    assert "Retry…" not in text(client.get(timeline_url(story.order_id)))

    assert client.post(retry_url("billing", story.dead_row), {"confirm": "on"}).status_code == 403
    assert charge_row(story.dead_row).status == InboxStatus.DEAD

    user.user_permissions.add(
        Permission.objects.get(codename="change_inboxmessage", content_type__app_label="billing")
    )
    client.force_login(get_user_model().objects.get(pk=user.pk))
    assert client.post(retry_url("billing", story.dead_row), {"confirm": "on"}).status_code == 302
    assert charge_row(story.dead_row).status == InboxStatus.PENDING


def test_retry_of_a_done_row_retries_nothing(staff, story):
    store = bus.store_of("ordering")
    done = store.inbox.objects.using(store.alias).get(event_id=story.reserved["id"])

    answer = staff.post(retry_url("ordering", done.id), {"confirm": "on"}, follow=True)

    assert "Not retried: ordering.when_inventory_stock_reserved_await_payment is done" in text(
        answer
    )
    assert store.inbox.objects.using(store.alias).get(id=done.id).status == InboxStatus.DONE


@pytest.mark.parametrize(
    ("context", "row_id", "status", "says"),
    [
        ("billing", "12abc", 400, "'12abc' is not an inbox row id: those are whole numbers."),
        ("biling", "1", 404, "'biling' is not a context."),
        ("billing", "999999", 404, "Nothing found for inbox row 999999 of billing"),
    ],
)
def test_retry_of_a_malformed_or_unknown_row_says_so(staff, context, row_id, status, says):
    answer = staff.get(retry_url(context, row_id))

    assert answer.status_code == status
    assert says in text(answer)


# The events overview.


def test_the_overview_counts_per_context_ranks_failing_handlers_and_links_dead_rows(staff, story):
    retrying = published("ordering.OrderPlaced", order("pending"), at=MOMENT + timedelta(seconds=5))
    received(
        retrying,
        "billing.when_ordering_order_placed_issue_invoice",
        status=InboxStatus.PENDING,
        attempts=2,
        last_error="RetryLater: not yet",
    )
    second = published("inventory.StockReserved", retrying["subject"], dispatched=False)
    received(second, CHARGE, status=InboxStatus.DEAD, attempts=3, last_error="boom")

    page = staff.get(reverse("admin:console_events"))

    assert page.status_code == 200
    body = html(page)
    billing = re.search(r'<tr class="context" data-context="billing">(.*?)</tr>', body, re.S)[1]
    assert '<td class="inbox-pending">1</td>' in billing
    assert '<td class="dead status-dead">2</td>' in billing
    inventory = re.search(r'<tr class="context" data-context="inventory">(.*?)</tr>', body, re.S)[1]
    assert '<td class="outbox-pending">1</td>' in inventory
    failing = re.findall(r'<tr class="failing" data-handler="([^"]+)">', body)
    assert failing == [CHARGE, "billing.when_ordering_order_placed_issue_invoice"]
    assert f'href="{timeline_url(story.order_id)}#event-{story.reserved["id"]}"' in body
    assert f'href="{retry_url("billing", story.dead_row)}"' in body


def test_the_admin_index_and_the_event_rows_lead_to_the_console(staff, story):
    index = html(staff.get(reverse("admin:index")))
    assert f'href="{reverse("admin:console_events")}"' in index
    assert f'action="{reverse("admin:console_search")}"' in index

    outbox = html(staff.get("/admin/ordering/outboxmessage/"))
    assert (
        f'href="{timeline_url(story.order_id)}#event-{story.placed["id"]}">timeline</a>' in outbox
    )
    inbox = html(staff.get("/admin/billing/inboxmessage/"))
    assert (
        f'href="{timeline_url(story.order_id)}#event-{story.reserved["id"]}">timeline</a>' in inbox
    )
    record = staff.get(f"/admin/ordering/orderrecord/{story.order_id}/change/")
    assert f'href="{timeline_url(story.order_id)}"' in html(record)
