"""HTTP entry point of ordering: /api/v1/orders."""
