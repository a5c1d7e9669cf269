from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.inventory.application import queries
from shop.inventory.application.count_stock import CountStock, UnknownSku, count_stock
from shop.inventory.domain.stock import MAX_ON_HAND, StockError, StockItem
from shop.platform.http.fields import StrictInteger
from shop.platform.http.permissions import StaffWritesOthersRead
from shop.platform.http.problems import Problem
from shop.platform.http.schema import raises


class StockOut(serializers.Serializer):
    sku = serializers.CharField()
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    available = serializers.IntegerField()

    def to_representation(self, item: StockItem):
        return {
            "sku": item.sku,
            "on_hand": item.on_hand,
            "reserved": item.reserved,
            "available": item.available,
        }


class CountStockIn(serializers.Serializer):
    on_hand = StrictInteger(min_value=0, max_value=MAX_ON_HAND)


class Stock(APIView):
    permission_classes = [StaffWritesOthersRead]

    @extend_schema(responses=StockOut, tags=["inventory"])
    def get(self, request, sku: str):
        item = queries.stock_item(sku)
        if item is None:
            raise Problem(
                status=404,
                slug="not-found",
                title="Not found",
                detail=f"No stock record for sku {sku}.",
            )
        return Response(StockOut(item).data)

    @extend_schema(request=CountStockIn, responses=StockOut, tags=["inventory"])
    @raises(409, "stock-conflict")
    def put(self, request, sku: str):
        """Set the units on hand (staff only); it may not drop below what is reserved."""
        data = CountStockIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            item = count_stock(CountStock(sku=sku, **data.validated_data))
        except UnknownSku as exc:
            raise Problem(
                status=404, slug="not-found", title="Not found", detail=str(exc)
            ) from None
        except StockError as exc:
            raise Problem(
                status=409, slug="stock-conflict", title="Stock conflict", detail=str(exc)
            ) from None
        return Response(StockOut(item).data)
