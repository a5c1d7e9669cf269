from shop.platform.contexts import ContextConfig


class BillingConfig(ContextConfig):
    """The billing context: its label names its store, tables, subscriptions and jobs."""

    name = "shop.billing"
    verbose_name = "Billing"
