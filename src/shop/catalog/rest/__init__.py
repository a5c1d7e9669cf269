"""HTTP entry point of the catalog: /api/v1/products."""
