from __future__ import annotations

from uuid import UUID

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.ordering.application import queries
from shop.ordering.application.cancel_order import CancelOrder, cancel_order
from shop.ordering.application.errors import OrderNotFound, ProductsUnavailable, UnknownProducts
from shop.ordering.application.place_order import PlaceOrder, place_order
from shop.ordering.domain.order import IllegalTransition, OrderError
from shop.ordering.infrastructure import DATABASE
from shop.ordering.infrastructure.models import IdempotentRequest
from shop.ordering.infrastructure.repository import to_domain
from shop.ordering.rest.serializers import OrderOut, PlaceOrderIn
from shop.platform.http.idempotency import MAX_KEY_LENGTH, run_once
from shop.platform.http.pagination import cursor_ordered_by
from shop.platform.http.problems import Problem
from shop.platform.http.schema import raises

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Retrying with the same key returns the first response instead of placing a second order.",
    # What shop.platform.http.idempotency accepts: 1 to 255 printable characters.
    pattern=f"^[\\x21-\\x7e]([\\x20-\\x7e]{{0,{MAX_KEY_LENGTH - 2}}}[\\x21-\\x7e])?$",
)


def _not_found(order_id) -> Problem:
    return Problem(status=404, slug="not-found", title="Not found", detail=f"No order {order_id}.")


def _place(customer_id: int, data: dict) -> tuple[int, dict]:
    try:
        order = place_order(
            PlaceOrder(
                customer_id=customer_id,
                lines=[(line["sku"], line["quantity"]) for line in data["lines"]],
                payment_token=data["payment_token"],
            )
        )
    except UnknownProducts as exc:
        raise Problem(
            status=422,
            slug="unknown-product",
            title="Unknown product",
            detail=str(exc),
            skus=exc.skus,
        ) from None
    except ProductsUnavailable as exc:
        raise Problem(
            status=422,
            slug="product-unavailable",
            title="Product unavailable",
            detail=str(exc),
            skus=exc.skus,
        ) from None
    except OrderError as exc:
        raise Problem(
            status=422, slug="order-rejected", title="Order rejected", detail=str(exc)
        ) from None
    return status.HTTP_201_CREATED, OrderOut(order).data


class OrderList(APIView):
    pagination_class = cursor_ordered_by("-placed_at", "-id")

    @extend_schema(responses=OrderOut(many=True), tags=["ordering"])
    def get(self, request):
        """The caller's own orders, newest first."""
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(
            queries.order_rows(customer_id=request.user.id), request, view=self
        )
        return paginator.get_paginated_response(
            OrderOut([to_domain(row) for row in page], many=True).data
        )

    @extend_schema(
        request=PlaceOrderIn,
        responses={201: OrderOut},
        parameters=[IDEMPOTENCY_KEY],
        tags=["ordering"],
    )
    @raises(
        422, "unknown-product", "product-unavailable", "order-rejected", "idempotency-key-reused"
    )
    def post(self, request):
        """Place an order; prices are taken from the catalog now and frozen on each line."""
        data = PlaceOrderIn(data=request.data)
        data.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key")
        if key is None:
            code, body = _place(request.user.id, data.validated_data)
            replayed = False
        else:
            outcome = run_once(
                record=IdempotentRequest,
                using=DATABASE,
                owner=str(request.user.id),
                key=key,
                request_data=request.data,
                action=lambda: _place(request.user.id, data.validated_data),
            )
            code, body, replayed = outcome.status_code, outcome.body, outcome.replayed
        headers = {"Location": reverse("order-detail", kwargs={"order_id": body["id"]})}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(body, status=code, headers=headers)


class OrderDetail(APIView):
    @extend_schema(responses=OrderOut, tags=["ordering"])
    def get(self, request, order_id: UUID):
        order = queries.order(order_id, customer_id=request.user.id)
        if order is None:
            raise _not_found(order_id)
        return Response(OrderOut(order).data)


class CancelOrderView(APIView):
    @extend_schema(request=None, responses=OrderOut, tags=["ordering"])
    @raises(409, "illegal-transition")
    def post(self, request, order_id: UUID):
        """Cancel one of your own orders."""
        try:
            order = cancel_order(CancelOrder(order_id=order_id, customer_id=request.user.id))
        except OrderNotFound:
            raise _not_found(order_id) from None
        except IllegalTransition as exc:
            raise Problem(
                status=409,
                slug="illegal-transition",
                title="Order cannot change that way",
                detail=str(exc),
            ) from None
        return Response(OrderOut(order).data)
