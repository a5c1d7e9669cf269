"""HTTP entry point of billing: /api/v1/invoices."""
