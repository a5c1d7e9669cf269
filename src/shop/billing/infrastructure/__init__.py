"""How billing stores invoices and payments (its own database alias, `billing`)."""

DATABASE = "billing"
