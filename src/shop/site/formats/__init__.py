"""Display formats of the admin (FORMAT_MODULE_PATH): timestamps to the second, with the zone."""
