from django.apps import AppConfig
from django.conf import settings


class PlatformConfig(AppConfig):
    name = "shop.platform"
    label = "platform"
    verbose_name = "Platform"

    def ready(self) -> None:
        from shop.platform.events import (  # noqa: F401 - checks and tasks register themselves
            checks,
            operations,
            redelivery,
            schedule,
            tasks,
        )
        from shop.platform.http.converters import register
        from shop.platform.observability import statements
        from shop.platform.topology import checks as topology_checks  # noqa: F401 - registers

        register()
        if getattr(settings, "SHOP_DB_STATEMENT_METRICS", False):
            statements.install()
        schedule.every(3600.0, "events.purge", operations.purge_expired)
        schedule.every(redelivery.period(), "events.redeliver", redelivery.redeliver_lost)
