"""How billing stores invoices and payments (its own database alias, `billing`)."""

from shop.platform.contexts import alias_of

DATABASE = alias_of(__name__)
