"""The URL map: each hosted context mounts its own REST routes under /api/v1/."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from shop.platform import topology
from shop.platform.auth.views import ObtainToken
from shop.platform.events.arrivals import arrived_view
from shop.platform.http.health import healthz, readyz
from shop.platform.http.problems import not_found_view
from shop.platform.observability.metrics import metrics_view
from shop.platform.topology import IDENTITY

here = topology.current()
# Only the contexts this process hosts serve their routes (docs/topology.md); identity
# serves sign-in.
api_v1 = [
    *(
        [path("auth/token", ObtainToken.as_view(), name="auth-token")]
        if here.hosts(IDENTITY)
        else []
    ),
    *(
        path("", include(f"{apps.get_app_config(context).name}.rest.urls"))
        for context in here.hosted(settings.SHOP_CONTEXTS)
    ),
    # Anything else under /api/ is a problem+json 404, even with SHOP_DEBUG on.
    re_path(r"", not_found_view),
]

internal = [
    # Redelivery asking which events reached a hosted inbox.
    path("_internal/events/<slug:context>/arrived", arrived_view, name="internal-arrived"),
    # Checking an API token (shop.platform.auth.introspection); before the api.py calls,
    # whose <context>/<function> pattern would take this path too.
    path("_internal/identity/", include("shop.platform.auth.urls")),
    # api.py functions (shop.platform.openhost).
    path("_internal/", include("shop.platform.openhost.urls")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI under the site's Content Security Policy (settings/security.py): the split
    # view serves its start-up script from this URL (`?script`), not inline; the page's own
    # <style> block needs inline styles, allowed on this page alone.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="swagger-ui",
    ),
    # The admin signs in against identity's users: only where identity is hosted.
    *([path("admin/", admin.site.urls)] if here.hosts(IDENTITY) else []),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    # Other services calling this one (signed): only where there are other services, or a
    # shared secret was set on purpose; one service alone answers none of it.
    *(internal if settings.SHOP_OPENHOST["enabled"] else []),
    # Any other /api/ path (outside v1 too) is a problem+json 404 whatever the method or SHOP_DEBUG.
    re_path(r"^api/", not_found_view),
]

handler404 = "shop.platform.http.problems.not_found_view"
handler500 = "shop.platform.http.problems.server_error_view"
