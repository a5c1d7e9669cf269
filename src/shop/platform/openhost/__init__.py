"""A context's open host service across services: `api.py` functions callable over HTTP.

See shop.platform.openhost.functions for the seam, docs/topology.md for the whole.
"""

from shop.platform.openhost.errors import RemoteUnavailable
from shop.platform.openhost.functions import command, query

__all__ = ["RemoteUnavailable", "command", "query"]
