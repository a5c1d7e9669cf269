"""Django's admin app with the shop's admin site as its default site (INSTALLED_APPS).

`django.contrib.admin.site`, which every context's admin module registers on, is then a
`ShopAdminSite`: Django's, plus the operator console's pages.
"""

from django.contrib.admin.apps import AdminConfig


class ShopAdminConfig(AdminConfig):
    default_site = "shop.platform.console.site.ShopAdminSite"
