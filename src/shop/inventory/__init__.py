"""inventory: how many of each sku the shop holds, and what is reserved for orders."""
