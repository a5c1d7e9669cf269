"""shop: a Django modular monolith with four bounded contexts."""
