"""The catalog's model of a product. Pure Python: no Django."""
