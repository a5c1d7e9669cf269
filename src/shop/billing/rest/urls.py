from django.urls import path

from shop.billing.rest.views import InvoiceDetail, InvoiceList

urlpatterns = [
    path("invoices", InvoiceList.as_view(), name="invoice-list"),
    path("invoices/<uuid:invoice_id>", InvoiceDetail.as_view(), name="invoice-detail"),
]
