"""HTTP entry point of inventory: /api/v1/stock."""
