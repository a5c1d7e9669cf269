from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "shop.catalog"
    label = "catalog"
    verbose_name = "Catalog"

    def ready(self) -> None:
        from shop.catalog import subscribers
        from shop.catalog.infrastructure.messaging import STORE
        from shop.platform.events import bus, schedule

        bus.add_store(STORE)
        subscribers.register(bus, schedule)
