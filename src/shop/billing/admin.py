from django.contrib import admin

from shop.billing.infrastructure.models import InvoiceRecord, PaymentRecord
from shop.platform.admin import ReadOnlyAdmin, money_column


@admin.register(InvoiceRecord)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "order_id",
        "customer_id",
        "amount",
        "status",
        "issued_at",
    ]
    list_filter = ["status", "currency"]
    search_fields = ["id", "order_id"]
    exclude = ["payment_token", "amount_minor"]
    readonly_fields = ["amount"]

    amount = money_column("amount_minor", description="amount")


@admin.register(PaymentRecord)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "invoice", "amount", "status", "captured_at"]
    list_filter = ["status"]
    exclude = ["amount_minor"]
    readonly_fields = ["amount"]

    amount = money_column("amount_minor", description="amount")
