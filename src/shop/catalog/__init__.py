"""catalog: what the shop sells (products, descriptions, prices)."""
