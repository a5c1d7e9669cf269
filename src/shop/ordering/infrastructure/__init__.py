"""How ordering stores orders (its own database alias, `ordering`)."""

from shop.platform.contexts import alias_of

DATABASE = alias_of(__name__)
