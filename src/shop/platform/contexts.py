"""A bounded context's AppConfig: the app's label names the context, once.

Everything else derives from it: the database alias (`alias_of`), the outbox, inbox and
sequence tables (`message_tables(__name__)`), the subscriptions and periodic jobs (the
`Wiring` its `subscribers.register` gets), and its admin pages (shop.platform.wiring).
This module imports no models: Django imports it before its app registry is ready.
"""

from __future__ import annotations

from django.apps import AppConfig, apps


def context_of(module: str) -> str:
    """The context (app label) a module belongs to."""
    config = apps.get_containing_app_config(module)
    if config is None:
        raise LookupError(f"{module} belongs to no installed app")
    return config.label


def alias_of(module: str) -> str:
    """The database alias of the context a module belongs to: the context's own name."""
    return context_of(module)


class ContextConfig(AppConfig):
    # Django picks the one AppConfig of an apps.py marked default: a context's own config,
    # never this base that each of them imports.
    default = False

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.default = True

    def ready(self) -> None:
        # Models and the event bus may be imported only now that every app is loaded.
        from shop.platform.wiring import wire

        wire(self)
