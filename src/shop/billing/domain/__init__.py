"""Invoices and payments. Pure Python: no Django."""
