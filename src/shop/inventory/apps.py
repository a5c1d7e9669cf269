from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "shop.inventory"
    label = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from shop.inventory import subscribers
        from shop.inventory.infrastructure.messaging import STORE
        from shop.platform.events import bus, schedule

        bus.add_store(STORE)
        subscribers.register(bus, schedule)
