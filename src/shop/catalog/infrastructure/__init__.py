"""How the catalog stores products (its own database alias, `catalog`)."""

from shop.platform.contexts import alias_of

DATABASE = alias_of(__name__)
