from shop.platform.contexts import ContextConfig


class CatalogConfig(ContextConfig):
    """The catalog context: its label names its store, tables, subscriptions and jobs."""

    name = "shop.catalog"
    verbose_name = "Catalog"
