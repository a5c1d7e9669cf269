from django.urls import path

from shop.catalog.rest.views import ProductDetail, ProductList

urlpatterns = [
    path("products", ProductList.as_view(), name="product-list"),
    path("products/<key:sku>", ProductDetail.as_view(), name="product-detail"),
]
