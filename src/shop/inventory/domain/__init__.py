"""Stock and reservations. Pure Python: no Django."""
