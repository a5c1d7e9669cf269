from django.urls import path

from shop.ordering.rest.views import CancelOrderView, OrderDetail, OrderList

urlpatterns = [
    path("orders", OrderList.as_view(), name="order-list"),
    path("orders/<uuid:order_id>", OrderDetail.as_view(), name="order-detail"),
    path("orders/<uuid:order_id>/cancel", CancelOrderView.as_view(), name="order-cancel"),
]
