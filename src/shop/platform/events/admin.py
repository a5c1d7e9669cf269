"""Admin views of every context's outbox and inbox: read-only, with a retry action.

What an operator looks for comes first: for an inbox row its status, attempts, next
attempt and last error; for an outbox row whether and when it was dispatched. Each row
links to its subject's timeline in the operator console (shop.platform.console).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html

from shop.platform.admin import ReadOnlyAdmin
from shop.platform.console import links
from shop.platform.console import timeline as timelines
from shop.platform.events import operations
from shop.platform.events.models import InboxStatus

# How much of a last error a list shows (the row's page shows all of it).
ERROR_PREVIEW = 120


@admin.display(description="last error", ordering="last_error")
def last_error(obj) -> str:
    text = obj.last_error.strip().splitlines()[0] if obj.last_error.strip() else ""
    return text if len(text) <= ERROR_PREVIEW else f"{text[: ERROR_PREVIEW - 1]}…"


def timeline_column(event_id_field: str):
    """A list column: the link to the row's subject's timeline, at the row's event."""

    @admin.display(description="timeline")
    def timeline(obj) -> str:
        if not timelines.SUBJECT.fullmatch(obj.subject or ""):
            return "-"
        url = links.timeline_url(obj.subject, str(getattr(obj, event_id_field)))
        return format_html('<a href="{}">timeline</a>', url)

    return timeline


class OutboxAdmin(ReadOnlyAdmin):
    list_display = [
        "dispatched_at",
        "attempts",
        last_error,
        "event_type",
        "subject",
        "sequence",
        "created_at",
        timeline_column("id"),
    ]
    list_filter = ["event_type", ("dispatched_at", admin.EmptyFieldListFilter)]
    search_fields = ["id", "subject"]
    ordering = ["-created_at"]


@admin.action(description="Retry the selected dead or parked rows")
def retry_rows(modeladmin, request, queryset):
    count = queryset.filter(status__in=[InboxStatus.DEAD, InboxStatus.PARKED]).update(
        **operations.revived()
    )
    modeladmin.message_user(request, f"{count} rows are due again.", messages.SUCCESS)


class InboxAdmin(ReadOnlyAdmin):
    list_display = [
        "status",
        "attempts",
        "next_attempt_at",
        last_error,
        "event_type",
        "handler",
        "subject",
        "sequence",
        "received_at",
        timeline_column("event_id"),
    ]
    list_filter = ["status", "handler", "event_type"]
    search_fields = ["event_id", "subject"]
    ordering = ["-received_at"]
    actions = [retry_rows]


def register(site: admin.AdminSite, *, outbox: type, inbox: type) -> None:
    site.register(outbox, OutboxAdmin)
    site.register(inbox, InboxAdmin)
