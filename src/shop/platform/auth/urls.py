from django.urls import path

from shop.platform.auth.introspection import introspect_view

# Mounted under /_internal/identity/: other services checking an API token.
urlpatterns = [
    path("introspect", introspect_view, name="identity-introspect"),
]
