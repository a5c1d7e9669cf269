from django.urls import path

from shop.inventory.rest.views import Stock

urlpatterns = [path("stock/<key:sku>", Stock.as_view(), name="stock")]
