"""How inventory stores stock and reservations (its own database alias, `inventory`)."""

DATABASE = "inventory"
