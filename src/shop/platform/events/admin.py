"""Admin views of every context's outbox and inbox: read-only, with a retry action."""

from __future__ import annotations

from django.contrib import admin, messages

from shop.platform.admin import ReadOnlyAdmin
from shop.platform.events import operations
from shop.platform.events.models import InboxStatus


class OutboxAdmin(ReadOnlyAdmin):
    list_display = ["event_type", "subject", "sequence", "created_at", "dispatched_at", "attempts"]
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
        "event_type",
        "handler",
        "subject",
        "sequence",
        "status",
        "attempts",
        "received_at",
    ]
    list_filter = ["status", "handler", "event_type"]
    search_fields = ["event_id", "subject"]
    ordering = ["-received_at"]
    actions = [retry_rows]


def register(site: admin.AdminSite, *, outbox: type, inbox: type) -> None:
    site.register(outbox, OutboxAdmin)
    site.register(inbox, InboxAdmin)
