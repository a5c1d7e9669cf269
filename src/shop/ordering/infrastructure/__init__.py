"""How ordering stores orders (its own database alias, `ordering`)."""

DATABASE = "ordering"
