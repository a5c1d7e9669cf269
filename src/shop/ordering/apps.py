from shop.platform.contexts import ContextConfig


class OrderingConfig(ContextConfig):
    """The ordering context: its label names its store, tables, subscriptions and jobs."""

    name = "shop.ordering"
    verbose_name = "Ordering"
