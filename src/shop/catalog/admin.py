from django.contrib import admin

from shop.catalog.infrastructure.messaging import InboxMessage, OutboxMessage
from shop.catalog.infrastructure.models import ProductRecord
from shop.platform.admin import ReadOnlyAdmin
from shop.platform.events import admin as events_admin


@admin.register(ProductRecord)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ["sku", "name", "price_minor", "currency", "active", "updated_at"]
    list_filter = ["active", "currency"]
    search_fields = ["sku", "name"]


events_admin.register(admin.site, outbox=OutboxMessage, inbox=InboxMessage)
