from django.contrib import admin

from shop.inventory.infrastructure.models import ReservationRecord, StockItemRecord
from shop.platform.admin import ReadOnlyAdmin


@admin.register(StockItemRecord)
class StockItemAdmin(ReadOnlyAdmin):
    list_display = ["sku", "on_hand", "reserved", "updated_at"]
    search_fields = ["sku"]


@admin.register(ReservationRecord)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = ["order_id", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["order_id"]
