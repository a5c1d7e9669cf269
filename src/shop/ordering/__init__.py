"""ordering: customers' orders, their lines at frozen prices, and the order's life cycle."""
