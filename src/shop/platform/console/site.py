"""The project's admin site: Django's, with the operator console's pages under /admin/console/.

Every console page goes through `admin_view`: staff only (anyone else is sent to the admin's
sign-in page), never cached, CSRF-protected.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import path


class ShopAdminSite(admin.AdminSite):
    # The index adds the console's search box and its events overview to Django's.
    index_template = "console/index.html"

    def get_urls(self):
        from shop.platform.console import views

        console = [
            path("console/", self.admin_view(views.search), name="console_search"),
            path("console/events/", self.admin_view(views.events), name="console_events"),
            path(
                "console/timeline/<str:subject>/",
                self.admin_view(views.timeline),
                name="console_timeline",
            ),
            path(
                "console/retry/<str:context>/<str:row_id>/",
                self.admin_view(views.retry),
                name="console_retry",
            ),
        ]
        return console + super().get_urls()
