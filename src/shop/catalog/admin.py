from django.contrib import admin

from shop.catalog.infrastructure.models import ProductRecord
from shop.platform.admin import ReadOnlyAdmin, money_column


@admin.register(ProductRecord)
class ProductAdmin(ReadOnlyAdmin):
    price = money_column("price_minor", description="price")

    list_display = ["sku", "name", "price", "active", "updated_at"]
    list_filter = ["active", "currency"]
    search_fields = ["sku", "name"]
    exclude = ["price_minor"]
    readonly_fields = ["price"]
