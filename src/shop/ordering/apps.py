from django.apps import AppConfig


class OrderingConfig(AppConfig):
    name = "shop.ordering"
    label = "ordering"
    verbose_name = "Ordering"

    def ready(self) -> None:
        from shop.ordering import subscribers
        from shop.ordering.infrastructure.messaging import STORE
        from shop.platform.events import bus, schedule

        bus.add_store(STORE)
        subscribers.register(bus, schedule)
