from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "shop.platform"
    label = "platform"
    verbose_name = "Platform"

    def ready(self) -> None:
        from shop.platform.events import checks, operations, schedule  # noqa: F401 - registers
        from shop.platform.http.converters import register

        register()
        schedule.every(3600.0, "events.purge", operations.purge_expired)
