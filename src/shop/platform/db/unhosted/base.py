"""The database backend of a store this process does not host.

Every context keeps an alias in DATABASES, so `using(alias)` and the router always find
one; any query on an alias that another service hosts raises NotHosted, which names that
service. Closing and rolling back do nothing, so connection housekeeping is unaffected.
"""

from __future__ import annotations

from django.db.backends.dummy import base as dummy

from shop.platform.topology import NotHosted


class DatabaseOperations(dummy.DatabaseOperations):
    def quote_name(self, name):
        self.connection.refuse()


class DatabaseWrapper(dummy.DatabaseWrapper):
    vendor = "unhosted"
    ops_class = DatabaseOperations

    def refuse(self, *args, **kwargs):
        options = self.settings_dict["OPTIONS"]
        raise NotHosted(options["context"], options["service"], options["hosted_by"])

    _cursor = ensure_connection = _commit = _savepoint_commit = _set_autocommit = refuse
