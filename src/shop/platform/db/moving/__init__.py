"""Moving a context's store into a database of its own: `manage.py move_store`.

`plan` works out the source and the target from the configuration, `move` refuses or
copies, verifies and closes off the old copy, `stores_entry` writes the topology's line.
"""
