"""How inventory stores stock and reservations (its own database alias, `inventory`)."""

from shop.platform.contexts import alias_of

DATABASE = alias_of(__name__)
