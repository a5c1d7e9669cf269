"""The console's pages (mounted by `site.ShopAdminSite`, each behind `admin_view`: staff only).

A malformed id is answered with a 400 page saying what an id looks like, an id nothing is
known about with a 404 "nothing found" page, a context another service hosts with a page
naming that service: never a 500.
"""

from __future__ import annotations

import structlog
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from shop.platform import topology
from shop.platform.console import links, overview
from shop.platform.console import timeline as timelines
from shop.platform.events import operations
from shop.platform.events.bus import Store, bus
from shop.platform.events.settings import event_settings

log = structlog.get_logger("shop.console")


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Order id, event id or correlation id",
        max_length=200,
        strip=True,
        widget=forms.TextInput(attrs={"size": 44, "autocomplete": "off"}),
    )

    def clean_q(self) -> str:
        try:
            return timelines.searched_id(self.cleaned_data["q"])
        except timelines.MalformedId as exc:
            raise forms.ValidationError(str(exc)) from None


class RetryForm(forms.Form):
    confirm = forms.BooleanField(
        required=True,
        label="I have read the last error and fixed its cause: make this row due again",
        error_messages={"required": "Tick the box to confirm the retry; nothing was retried."},
    )


def _page(request, template: str, context: dict, *, status: int = 200) -> TemplateResponse:
    here = topology.current()
    return TemplateResponse(
        request,
        template,
        {
            **admin.site.each_context(request),
            "service": here.this,
            "hosted": [store.context for store in bus.hosted_stores()],
            "elsewhere": timelines.elsewhere(),
            "search_form": context.pop("search_form", None) or SearchForm(),
            **context,
        },
        status=status,
    )


def _message(request, title: str, message: str, *, status: int) -> TemplateResponse:
    return _page(
        request, "console/message.html", {"title": title, "message": message}, status=status
    )


def _nothing_found(request, what: str) -> TemplateResponse:
    hosted = ", ".join(store.context for store in bus.hosted_stores())
    retention = event_settings().retention_days
    return _message(
        request,
        "Nothing found",
        f"Nothing found for {what} in the stores this service hosts ({hosted}). Dispatched "
        f"and handled events are purged after {retention:g} days (SHOP_EVENTS_RETENTION_DAYS).",
        status=404,
    )


@require_http_methods(["GET", "HEAD"])
def search(request: HttpRequest) -> HttpResponse:
    """The search box: an order id, event id or correlation id leads to its timeline."""
    if "q" not in request.GET:
        return _page(request, "console/search.html", {"title": "Find an order's timeline"})
    form = SearchForm(request.GET)
    if not form.is_valid():
        return _page(
            request,
            "console/search.html",
            {"title": "Find an order's timeline", "search_form": form},
            status=400,
        )
    query = form.cleaned_data["q"]
    found = timelines.find(query)
    if found is None:
        return _nothing_found(request, timelines.shown(query))
    if len(found.subjects) == 1:
        return redirect(links.timeline_url(found.subjects[0], found.event_id))
    return _page(
        request,
        "console/subjects.html",
        {
            "title": f"Correlation {query}",
            "correlation_id": query,
            "subjects": [(s, links.timeline_url(s)) for s in found.subjects],
            "log_search": links.log_search(links.CORRELATION_FIELD, query),
            "search_form": SearchForm(initial={"q": query}),
        },
    )


@require_http_methods(["GET", "HEAD"])
def timeline(request: HttpRequest, subject: str) -> HttpResponse:
    try:
        subject = timelines.subject_id(subject)
    except timelines.MalformedId as exc:
        return _message(request, "Not an id", str(exc), status=400)
    story = timelines.gather(subject)
    if story.empty:
        return _nothing_found(request, timelines.shown(subject))
    ids = story.event_ids
    may_retry = {context: _may_retry(request, bus.store_of(context)) for context in story.hosted}

    def retry_url(row: timelines.HandlerRow | None) -> str | None:
        if row is None or not row.retryable or not may_retry.get(row.context):
            return None
        return reverse("admin:console_retry", args=[row.context, row.row_id])

    events = [
        {
            "event": event,
            "correlation": links.log_search(links.CORRELATION_FIELD, event.correlation_id),
            "causation": links.log_search(links.EVENT_FIELD, event.causation_id),
            "cause_on_page": event.causation_id in ids and not event.caused_by_itself,
            "consumers": [
                {"consumer": consumer, "row": consumer.row, "retry_url": retry_url(consumer.row)}
                for consumer in event.consumers
            ],
        }
        for event in story.events
    ]
    waits = [{"wait": wait, "retry_url": retry_url(wait.row)} for wait in story.waits]
    correlations = sorted({event.correlation_id for event in story.events if event.correlation_id})
    return _page(
        request,
        "console/timeline.html",
        {
            "title": f"Timeline of {subject}",
            "timeline": story,
            "events": events,
            "correlations": [
                links.log_search(links.CORRELATION_FIELD, value) for value in correlations
            ],
            "waits": waits,
            "search_form": SearchForm(initial={"q": subject}),
        },
    )


@require_http_methods(["GET", "HEAD"])
def events(request: HttpRequest) -> HttpResponse:
    summary = overview.gather()
    may_retry = {store.context: _may_retry(request, store) for store in bus.hosted_stores()}
    dead = [
        {
            "dead": row,
            "timeline_url": links.timeline_url(row.subject, row.event_id)
            if timelines.SUBJECT.fullmatch(row.subject)
            else None,
            "retry_url": reverse("admin:console_retry", args=[row.row.context, row.row.row_id])
            if may_retry.get(row.row.context)
            else None,
        }
        for row in summary.dead
    ]
    return _page(
        request,
        "console/events.html",
        {"title": "Events overview", "overview": summary, "dead": dead},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def retry(request: HttpRequest, context: str, row_id: str) -> HttpResponse:
    """Confirm (GET), then retry (POST, with the box ticked) one dead or parked inbox row."""
    here = topology.current()
    if context not in bus.stores:
        return _message(
            request, "Not a context", f"{timelines.shown(context)} is not a context.", status=404
        )
    if not here.hosts(context):
        host = here.host_of(context)
        return _message(
            request,
            "Hosted elsewhere",
            f"{context} is hosted by service {getattr(host, 'name', None) or '(none)'}, not by "
            f"this one ({here.this}): retry its rows there, with `manage.py events retry "
            "EVENT_ID`.",
            status=409,
        )
    if not row_id.isdigit() or len(row_id) > 19:
        return _message(
            request,
            "Not a row id",
            f"{timelines.shown(row_id)} is not an inbox row id: those are whole numbers.",
            status=400,
        )
    store = bus.store_of(context)
    if not _may_retry(request, store):
        raise PermissionDenied(f"retrying {context}'s inbox rows needs {_permission(store)}")
    row = timelines.row_of(store, int(row_id))
    event = timelines.event_of_row(store, int(row_id))
    if row is None or event is None:
        return _nothing_found(request, f"inbox row {row_id} of {context}")
    back = links.timeline_url(event.subject, event.event_id) if event.subject else None
    form = RetryForm(request.POST if request.method == "POST" else None)
    page = {
        "title": f"Retry {row.handler} on {event.event_type}?",
        "row": row,
        "event": event,
        "back": back,
        "form": form,
    }
    if request.method != "POST":
        return _page(request, "console/retry.html", page)
    if not row.retryable:
        messages.warning(
            request, f"Not retried: {row.handler} is {row.status}, not dead or parked."
        )
        return redirect(back or links.overview_url())
    if not form.is_valid():
        return _page(request, "console/retry.html", page, status=400)
    revived = operations.retry_row(store, row.row_id)
    log.info(
        "operator retried an inbox row",
        operator=request.user.get_username(),
        context=context,
        row_id=row.row_id,
        handler=row.handler,
        event_id=event.event_id,
        event_type=event.event_type,
        subject=event.subject,
        # The saga's own id, so a search of its story finds the retry too.
        correlation_id=event.correlation_id or None,
        status_before=row.status,
        revived=revived,
    )
    record = store.inbox.objects.using(store.alias).filter(id=row.row_id).first()
    if record is not None:
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=[record],
            action_flag=CHANGE,
            change_message=f"Retried from the timeline of {event.subject or '(no subject)'} "
            f"(was {row.status}, {row.attempts} attempts).",
            single_object=True,
        )
    if revived:
        messages.success(
            request,
            f"Retried: {row.handler} on {event.event_type} is due again; the worker takes it "
            "at its next pass (reload to follow it).",
        )
    else:
        messages.warning(
            request,
            f"Not retried: {row.handler} on {event.event_type} is no longer dead or parked, "
            "or still no handler here takes the event.",
        )
    return redirect(back or links.overview_url())


def _permission(store: Store) -> str:
    meta = store.inbox._meta
    return f"{meta.app_label}.{get_permission_codename('change', meta)}"


def _may_retry(request: HttpRequest, store: Store) -> bool:
    return request.user.has_perm(_permission(store))
