from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.catalog.application import queries
from shop.catalog.application.add_product import AddProduct, add_product
from shop.catalog.application.errors import ProductAlreadyExists, ProductNotFound
from shop.catalog.application.revise_product import ReviseProduct, revise_product
from shop.catalog.domain.product import InvalidProduct
from shop.catalog.infrastructure.repository import to_domain
from shop.catalog.rest.serializers import AddProductIn, ProductOut, ReviseProductIn
from shop.kernel import InvalidMoney, Money, TooManyDecimalPlaces, UnknownCurrency
from shop.platform.http.pagination import cursor_ordered_by
from shop.platform.http.permissions import StaffWritesOthersRead
from shop.platform.http.problems import Problem
from shop.platform.http.schema import raises


def _is_staff(request) -> bool:
    return bool(request.user and request.user.is_staff)


def _invalid(exc: InvalidProduct | InvalidMoney) -> serializers.ValidationError:
    if isinstance(exc, InvalidProduct):
        return serializers.ValidationError({exc.field: [exc.message]})
    field = "currency" if isinstance(exc, UnknownCurrency) else "price"
    return serializers.ValidationError({field: [str(exc)]})


def _too_precise(exc: TooManyDecimalPlaces) -> Problem:
    """A price and a currency each valid alone, whose pair is not: "12.50" in JPY. The
    schema describes each field, not the pair, so this is a business-rule 422, not a 400."""
    return Problem(
        status=422,
        slug="price-too-precise",
        title="Price too precise for its currency",
        detail=f"price: {exc}",
        errors=[{"pointer": "#/price", "detail": str(exc)}],
    )


def _not_found(sku: str) -> Problem:
    return Problem(
        status=404, slug="not-found", title="Not found", detail=f"No product with sku {sku}."
    )


class ProductList(APIView):
    permission_classes = [StaffWritesOthersRead]
    pagination_class = cursor_ordered_by("sku")

    @extend_schema(responses=ProductOut(many=True), tags=["catalog"])
    def get(self, request):
        """List products for sale (staff also see retired ones), ordered by sku."""
        paginator = self.pagination_class()
        rows = queries.product_rows(include_retired=_is_staff(request))
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(
            ProductOut([to_domain(row) for row in page], many=True).data
        )

    @extend_schema(request=AddProductIn, responses={201: ProductOut}, tags=["catalog"])
    @raises(409, "product-exists")
    @raises(422, "price-too-precise")
    def post(self, request):
        """Add a product (staff only)."""
        data = AddProductIn(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        try:
            price = Money(fields.pop("price"), fields.pop("currency"))
            product = add_product(AddProduct(price=price, **fields))
        except TooManyDecimalPlaces as exc:
            raise _too_precise(exc) from None
        except (InvalidProduct, InvalidMoney) as exc:
            raise _invalid(exc) from None
        except ProductAlreadyExists as exc:
            raise Problem(
                status=409, slug="product-exists", title="Product exists", detail=str(exc)
            ) from None
        location = reverse("product-detail", kwargs={"sku": product.sku})
        return Response(
            ProductOut(product).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )


class ProductDetail(APIView):
    permission_classes = [StaffWritesOthersRead]

    @extend_schema(responses=ProductOut, tags=["catalog"])
    def get(self, request, sku: str):
        product = queries.product(sku)
        if product is None or (not product.active and not _is_staff(request)):
            raise _not_found(sku)
        return Response(ProductOut(product).data)

    @extend_schema(request=ReviseProductIn, responses=ProductOut, tags=["catalog"])
    @raises(422, "price-too-precise")
    def patch(self, request, sku: str):
        """Change name, description, price, currency or active (staff only)."""
        data = ReviseProductIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            product = revise_product(ReviseProduct(sku=sku, **data.validated_data))
        except ProductNotFound:
            raise _not_found(sku) from None
        except TooManyDecimalPlaces as exc:
            raise _too_precise(exc) from None
        except (InvalidProduct, InvalidMoney) as exc:
            raise _invalid(exc) from None
        return Response(ProductOut(product).data)
