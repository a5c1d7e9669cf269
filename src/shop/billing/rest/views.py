from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.billing.application import queries
from shop.billing.domain.invoice import Invoice, InvoiceStatus
from shop.billing.infrastructure.repository import to_domain
from shop.platform.http.fields import MoneyOut
from shop.platform.http.pagination import cursor_ordered_by
from shop.platform.http.problems import Problem
from shop.platform.http.query import validated_query


class InvoiceOut(serializers.Serializer):
    id = serializers.UUIDField()
    order_id = serializers.CharField()
    amount = MoneyOut()
    status = serializers.ChoiceField(choices=[s.value for s in InvoiceStatus])
    issued_at = serializers.DateTimeField()

    def to_representation(self, invoice: Invoice):
        return {
            "id": str(invoice.id),
            "order_id": invoice.order_id,
            "amount": MoneyOut(invoice.amount).data,
            "status": invoice.status.value,
            "issued_at": serializers.DateTimeField().to_representation(invoice.issued_at),
        }


class InvoiceFilter(serializers.Serializer):
    order = serializers.UUIDField(required=False, help_text="Only the invoice of this order.")


class InvoiceList(APIView):
    pagination_class = cursor_ordered_by("-issued_at", "-id")

    @extend_schema(
        parameters=[InvoiceFilter],
        responses=InvoiceOut(many=True),
        tags=["billing"],
    )
    def get(self, request):
        """The caller's own invoices, newest first."""
        order = validated_query(InvoiceFilter, request).get("order")
        rows = queries.invoice_rows(
            customer_id=request.user.id, order_id=str(order) if order else None
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(
            InvoiceOut([to_domain(row) for row in page], many=True).data
        )


class InvoiceDetail(APIView):
    @extend_schema(responses=InvoiceOut, tags=["billing"])
    def get(self, request, invoice_id: UUID):
        invoice = queries.invoice(invoice_id, customer_id=request.user.id)
        if invoice is None:
            raise Problem(
                status=404, slug="not-found", title="Not found", detail=f"No invoice {invoice_id}."
            )
        return Response(InvoiceOut(invoice).data)
