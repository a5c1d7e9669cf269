from django.contrib import admin

from shop.catalog.infrastructure.messaging import InboxMessage, OutboxMessage
from shop.catalog.infrastructure.models import ProductRecord
from shop.platform.admin import ReadOnlyAdmin, money_column
from shop.platform.events import admin as events_admin


@admin.register(ProductRecord)
class ProductAdmin(ReadOnlyAdmin):
    price = money_column("price_minor", description="price")

    list_display = ["sku", "name", "price", "active", "updated_at"]
    list_filter = ["active", "currency"]
    search_fields = ["sku", "name"]
    exclude = ["price_minor"]
    readonly_fields = ["price"]


events_admin.register(admin.site, outbox=OutboxMessage, inbox=InboxMessage)
