"""Token sign-in for API clients (the identity subdomain lives on the `default` alias)."""
