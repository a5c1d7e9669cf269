from django.urls import path

from shop.platform.openhost.views import internal_call

urlpatterns = [
    path("<slug:context>/<str:function>", internal_call, name="internal-call"),
]
