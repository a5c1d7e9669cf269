from django.contrib import admin

from shop.ordering.infrastructure.messaging import InboxMessage, OutboxMessage
from shop.ordering.infrastructure.models import OrderLineRecord, OrderRecord
from shop.platform.admin import ReadOnlyAdmin
from shop.platform.events import admin as events_admin


class OrderLineInline(admin.TabularInline):
    model = OrderLineRecord
    extra = 0
    can_delete = False
    fields = ["position", "sku", "quantity", "unit_price_minor"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OrderRecord)
class OrderAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "customer_id",
        "status",
        "cancellation_reason",
        "total_minor",
        "currency",
        "placed_at",
    ]
    list_filter = ["status", "cancellation_reason"]
    search_fields = ["id", "customer_id"]
    exclude = ["payment_token"]
    inlines = [OrderLineInline]


events_admin.register(admin.site, outbox=OutboxMessage, inbox=InboxMessage)
