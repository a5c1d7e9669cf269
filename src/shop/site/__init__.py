"""The composition root: settings, the URL map, WSGI, and commands that span contexts.

It wires the contexts together and, like any other outsider, uses only their
public `api` and `events` modules.
"""

from shop.site.celery import app as celery_app

__all__ = ["celery_app"]
