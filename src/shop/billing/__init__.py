"""billing: invoices, payments and refunds, and the anti-corruption layer to the payment provider."""
