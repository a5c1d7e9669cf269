"""How the catalog stores products (its own database alias, `catalog`)."""

DATABASE = "catalog"
