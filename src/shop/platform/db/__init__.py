"""One database alias per bounded context, and the router that keeps each app on its own."""
