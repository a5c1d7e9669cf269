from django.contrib import admin
from django.utils.html import format_html

from shop.ordering.infrastructure.models import OrderLineRecord, OrderRecord
from shop.platform.admin import ReadOnlyAdmin, money_column
from shop.platform.console import links


class OrderLineInline(admin.TabularInline):
    model = OrderLineRecord
    extra = 0
    can_delete = False
    unit_price = money_column(
        "unit_price_minor", description="unit price", currency_of=lambda line: line.order.currency
    )

    fields = ["position", "sku", "quantity", "unit_price"]
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
        "total",
        "placed_at",
    ]
    list_filter = ["status", "cancellation_reason"]
    search_fields = ["id", "customer_id"]
    exclude = ["payment_token", "total_minor"]
    readonly_fields = ["total", "timeline"]

    total = money_column("total_minor", description="total")

    @admin.display(description="timeline")
    def timeline(self, obj) -> str:
        """Its events across the contexts and what it waits for (the operator console)."""
        return format_html(
            '<a href="{}">events and handlers of this order, what it waits for</a>',
            links.timeline_url(str(obj.id)),
        )

    inlines = [OrderLineInline]
