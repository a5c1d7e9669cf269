from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "shop.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from shop.billing import subscribers
        from shop.billing.infrastructure.messaging import STORE
        from shop.platform.events import bus, schedule

        bus.add_store(STORE)
        subscribers.register(bus, schedule)
