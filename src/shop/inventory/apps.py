from shop.platform.contexts import ContextConfig


class InventoryConfig(ContextConfig):
    """The inventory context: its label names its store, tables, subscriptions and jobs."""

    name = "shop.inventory"
    verbose_name = "Inventory"
