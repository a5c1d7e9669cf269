from django.contrib import admin

from shop.billing.infrastructure.messaging import InboxMessage, OutboxMessage
from shop.billing.infrastructure.models import InvoiceRecord, PaymentRecord
from shop.platform.admin import ReadOnlyAdmin
from shop.platform.events import admin as events_admin


@admin.register(InvoiceRecord)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "order_id",
        "customer_id",
        "amount_minor",
        "currency",
        "status",
        "issued_at",
    ]
    list_filter = ["status", "currency"]
    search_fields = ["id", "order_id"]
    exclude = ["payment_token"]


@admin.register(PaymentRecord)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["id", "invoice", "amount_minor", "currency", "status", "captured_at"]
    list_filter = ["status"]


events_admin.register(admin.site, outbox=OutboxMessage, inbox=InboxMessage)
